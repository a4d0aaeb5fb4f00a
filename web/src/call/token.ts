// Tokens travel in the URL fragment (`#t=…`, `#i=…`) so they never reach a server log.
// We read one once, keep it in memory, and remove it from the address bar at once so it
// is not bookmarked or shared by accident. A language switch reloads the page; the token
// then survives in sessionStorage (this tab only) and is taken out again on load.
const STASH_PREFIX = 'medrtc.fragment.';

export function takeFragmentParam(name: string): string | null {
  const hash = location.hash.startsWith('#') ? location.hash.slice(1) : location.hash;
  let value = new URLSearchParams(hash).get(name);
  if (location.hash) {
    history.replaceState(history.state, '', location.pathname + location.search);
  }
  try {
    const stashed = sessionStorage.getItem(STASH_PREFIX + name);
    sessionStorage.removeItem(STASH_PREFIX + name);
    if (!value && stashed) {
      value = stashed;
    }
  } catch {
    // storage disabled: nothing stashed
  }
  return value && value.length > 0 ? value : null;
}

export function stashForReload(name: string, value: string): void {
  try {
    sessionStorage.setItem(STASH_PREFIX + name, value);
  } catch {
    // not kept; the person opens the link again
  }
}

export function takeTokenFromLocation(): string | null {
  return takeFragmentParam('t');
}
