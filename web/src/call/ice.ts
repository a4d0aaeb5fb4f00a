// Waits until the connection has gathered its candidates (or a short cap passes), so the
// offer/answer we send already holds them: the server takes no trickled candidates.
const GATHER_CAP_MS = 2_000;

export function waitForIceGathering(pc: RTCPeerConnection): Promise<void> {
  if (pc.iceGatheringState === 'complete') {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const done = (): void => {
      window.clearTimeout(timer);
      pc.removeEventListener('icegatheringstatechange', check);
      resolve();
    };
    const check = (): void => {
      if (pc.iceGatheringState === 'complete') {
        done();
      }
    };
    const timer = window.setTimeout(done, GATHER_CAP_MS);
    pc.addEventListener('icegatheringstatechange', check);
  });
}
