// `window.__medrtc`: read-only state for browser tests and the join-time benchmark.
export interface MedrtcDebug {
  publisher: RTCPeerConnection | null;
  subscriber: RTCPeerConnection | null;
  /** The direct connection to the other browser in a P2P 1:1 call (docs/p2p.md). */
  p2p: RTCPeerConnection | null;
  /** 'sfu' or 'p2p' (what the server last said; 'sfu' when it never said). */
  mediaMode: string;
  state: string;
  participantId: string | null;
  /** Our place in the waiting room while the server holds us there, else null. */
  waitingPosition: number | null;
  marks: { joinClicked: number; firstRemoteFrame?: number };
  /** ICE restarts the server confirmed (`ice_restarted`) since the page loaded. */
  iceRestarts: number;
  /** Signaling sockets replaced by a session resume (`resumed`) since the page loaded. */
  resumes: number;
  /** Hosts: the last `network_quality` entry per participant id (call-quality.ts). */
  networkQuality: Record<string, unknown>;
  /** E2EE rooms: the security code shown, the frame counters of the SFrame worker; null otherwise. */
  e2ee: { code: string | null; stats: unknown; secured: Record<string, boolean> } | null;
}

declare global {
  interface Window {
    __medrtc: MedrtcDebug;
  }
}

export const debug: MedrtcDebug = {
  publisher: null,
  subscriber: null,
  p2p: null,
  mediaMode: 'sfu',
  state: 'loading',
  participantId: null,
  waitingPosition: null,
  marks: { joinClicked: 0 },
  iceRestarts: 0,
  resumes: 0,
  networkQuality: {},
  e2ee: null,
};

window.__medrtc = debug;
