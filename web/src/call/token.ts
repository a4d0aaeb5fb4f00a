// The join token travels in the URL fragment (`#t=…`) so it never reaches a server log.
// We read it once, keep it in memory, and remove it from the address bar at once so it is
// not bookmarked or shared by accident.
export function takeTokenFromLocation(): string | null {
  const hash = location.hash.startsWith('#') ? location.hash.slice(1) : location.hash;
  const token = new URLSearchParams(hash).get('t');
  if (location.hash) {
    history.replaceState(history.state, '', location.pathname + location.search);
  }
  return token && token.length > 0 ? token : null;
}
