// The pre-call check over the real media path (docs/consultation-api.md "Pre-call
// check"): a peer connection to a short-lived probe transport on the media server, tried
// over UDP, then ICE-TCP, then a TURN relay, each with its own time limit, until one
// connects (ICE and DTLS, as a call would). Which pair carried it comes from getStats().
import { ApiError, apiCall } from '../api';

export type PathName = 'udp' | 'tcp' | 'relay';
/** works; blocked (no connection within its time); off (the server does not offer it); skipped (an earlier path worked). */
export type PathOutcome = 'works' | 'blocked' | 'off' | 'skipped';

export type ProbeCredential = { join_token: string } | { invitation: string } | { code: string };

export interface PathResult {
  path: PathName;
  outcome: PathOutcome;
  /** The selected candidate pair, when it worked: local protocol and type, and for a relay how the browser reached it. */
  protocol?: string;
  candidateType?: string;
  relayProtocol?: string;
}

export interface CallPathReport {
  /** 'works' when one path connected, 'blocked' when none did, 'unknown' when the check itself could not run. */
  overall: 'works' | 'blocked' | 'unknown';
  paths: PathResult[];
  /** Set with 'unknown': the server's problem code (or network_error). */
  error?: string;
}

interface ProbeAnswer {
  probe_id: string;
  answer: string;
  expires_in: number;
  ice_servers: RTCIceServer[];
}

/** Per-path limits: UDP answers in well under a second where it works; TCP and TURN/TLS need handshakes first. */
export const PATH_TIMEOUT_MS: Record<PathName, number> = { udp: 5_000, tcp: 6_000, relay: 10_000 };

function waitConnected(pc: RTCPeerConnection, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const check = (): void => {
      // connectionState combines ICE and DTLS: 'connected' means both are up.
      if (pc.connectionState === 'connected') {
        finish(true);
      } else if (pc.connectionState === 'failed' || pc.connectionState === 'closed') {
        finish(false);
      }
    };
    const finish = (ok: boolean): void => {
      window.clearTimeout(timer);
      pc.removeEventListener('connectionstatechange', check);
      resolve(ok);
    };
    const timer = window.setTimeout(() => finish(false), timeoutMs);
    pc.addEventListener('connectionstatechange', check);
    check();
  });
}

/** The selected candidate pair's local side (transport stats, or Firefox's `selected` flag). */
async function selectedLocal(pc: RTCPeerConnection): Promise<Pick<PathResult, 'protocol' | 'candidateType' | 'relayProtocol'>> {
  const stats = await pc.getStats();
  let pair: Record<string, unknown> | undefined;
  stats.forEach((s: Record<string, unknown>) => {
    if (s.type === 'transport' && typeof s.selectedCandidatePairId === 'string') {
      pair = stats.get(s.selectedCandidatePairId) as Record<string, unknown> | undefined;
    }
  });
  if (!pair) {
    stats.forEach((s: Record<string, unknown>) => {
      if (s.type === 'candidate-pair' && (s.selected === true || (s.nominated === true && s.state === 'succeeded'))) {
        pair = s;
      }
    });
  }
  const local = pair ? (stats.get(pair.localCandidateId as string) as Record<string, unknown> | undefined) : undefined;
  if (!local) {
    return {};
  }
  return {
    ...(typeof local.protocol === 'string' ? { protocol: local.protocol } : {}),
    ...(typeof local.candidateType === 'string' ? { candidateType: local.candidateType } : {}),
    ...(typeof local.relayProtocol === 'string' ? { relayProtocol: local.relayProtocol } : {}),
  };
}

/** One path: offer → probe answer → connected within the path's limit, or not. */
async function tryPath(path: PathName, credential: ProbeCredential, iceServers: RTCIceServer[], onAnswer: (a: ProbeAnswer) => void): Promise<PathResult> {
  // No TURN servers except for the relay attempt, which uses nothing else: each attempt
  // can only succeed over its own path.
  const pc = new RTCPeerConnection(path === 'relay' ? { iceServers, iceTransportPolicy: 'relay' } : { iceServers: [] });
  try {
    // A send-only audio m-line without a track: ICE and DTLS as in a call, no microphone needed.
    pc.addTransceiver('audio', { direction: 'sendonly' });
    const offer = await pc.createOffer();
    await pc.setLocalDescription(offer);
    let answer: ProbeAnswer;
    try {
      answer = await apiCall<ProbeAnswer>('POST', '/api/v1/connectivity-probes', {
        body: { ...credential, transport: path, offer: offer.sdp },
      });
    } catch (err) {
      if (err instanceof ApiError && err.code === 'transport_off') {
        return { path, outcome: 'off' };
      }
      throw err;
    }
    onAnswer(answer);
    await pc.setRemoteDescription({ type: 'answer', sdp: answer.answer });
    if (!(await waitConnected(pc, PATH_TIMEOUT_MS[path]))) {
      return { path, outcome: 'blocked' };
    }
    return { path, outcome: 'works', ...(await selectedLocal(pc)) };
  } finally {
    pc.close();
  }
}

/** UDP, then TCP, then TURN; stops at the first that connects. `onProgress` sees each path as it finishes. */
export async function checkCallPath(credential: ProbeCredential, onProgress?: (paths: PathResult[]) => void): Promise<CallPathReport> {
  const paths: PathResult[] = [];
  let iceServers: RTCIceServer[] = [];
  const order: PathName[] = ['udp', 'tcp', 'relay'];
  try {
    for (const path of order) {
      if (paths.some((p) => p.outcome === 'works')) {
        paths.push({ path, outcome: 'skipped' });
        continue;
      }
      if (path === 'relay' && iceServers.length === 0) {
        paths.push({ path, outcome: 'off' }); // the server hands out no TURN servers
        continue;
      }
      paths.push(await tryPath(path, credential, iceServers, (a) => {
        iceServers = a.ice_servers ?? [];
      }));
      onProgress?.([...paths]);
    }
  } catch (err) {
    return { overall: 'unknown', paths, error: err instanceof ApiError ? err.code : 'internal' };
  }
  return { overall: paths.some((p) => p.outcome === 'works') ? 'works' : 'blocked', paths };
}
