// `window.__medrtc`: read-only state for browser tests and the join-time benchmark.
export interface MedrtcDebug {
  publisher: RTCPeerConnection | null;
  subscriber: RTCPeerConnection | null;
  state: string;
  participantId: string | null;
  /** Our place in the waiting room while the server holds us there, else null. */
  waitingPosition: number | null;
  marks: { joinClicked: number; firstRemoteFrame?: number };
}

declare global {
  interface Window {
    __medrtc: MedrtcDebug;
  }
}

export const debug: MedrtcDebug = {
  publisher: null,
  subscriber: null,
  state: 'loading',
  participantId: null,
  waitingPosition: null,
  marks: { joinClicked: 0 },
};

window.__medrtc = debug;
