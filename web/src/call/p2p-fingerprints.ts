// The DTLS fingerprints of a peer-to-peer connection for the security code (docs/e2ee.md
// "Security code"; e2ee/dtls-fingerprint.ts says why from where): from the descriptions
// while DTLS is not up yet (a remote one naming more than one certificate is a conflict),
// from the certificates the connection really uses once it is.
import { certificateFingerprints, sdpPeerFingerprint } from './e2ee/dtls-fingerprint';

export type FingerprintReport = (local: string, remote: string, conflict: boolean) => void;

export function watchP2pFingerprints(pc: RTCPeerConnection, report: FingerprintReport): void {
  let latest = 0;
  const read = async (): Promise<void> => {
    const seq = ++latest;
    const described = sdpPeerFingerprint(pc.remoteDescription?.sdp);
    let local = sdpPeerFingerprint(pc.localDescription?.sdp).fp; // ours names one certificate
    let remote = described.fp;
    let conflict = described.conflict;
    if (pc.connectionState === 'connected') {
      try {
        const used = certificateFingerprints(await pc.getStats());
        local = used.local || local;
        remote = used.remote || remote; // a browser without certificate stats: the one the description names
        conflict ||= used.conflict;
      } catch {
        return; // closed meanwhile
      }
    }
    // getStats resolves out of order: only the newest read counts.
    if (seq === latest && pc.signalingState !== 'closed') {
      report(local, remote, conflict);
    }
  };
  pc.addEventListener('signalingstatechange', () => void read());
  pc.addEventListener('connectionstatechange', () => void read());
}
