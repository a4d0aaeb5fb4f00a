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

declare global {
  interface Window {
    /** Set before the page loads (Playwright addInitScript) to force media through TURN. */
    __medrtcForceRelay?: boolean;
  }
}

/**
 * 'relay' when a test forces media through the TURN server (tests/e2e/relay-call.test.mjs),
 * else 'all'. Never set by the product: a relay-only policy needs `joined.ice_servers`.
 */
export function iceTransportPolicy(): RTCIceTransportPolicy {
  return window.__medrtcForceRelay === true ? 'relay' : 'all';
}
