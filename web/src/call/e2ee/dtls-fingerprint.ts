// Where the DTLS fingerprints in the security code of a peer-to-peer call come from
// (docs/e2ee.md "Security code"). The remote description is SDP the server relays, and the
// browser does not check the peer's certificate against its first `a=fingerprint` line: a
// media-level one overrides a session-level one, with BUNDLE the tagged m-section's counts,
// Firefox accepts any of several. A server could leave the peer's genuine fingerprint where
// a regex finds it and put its own where the browser looks. So (1) a remote description
// that names more than one certificate counts as tampered with, and (2) once DTLS is up,
// the peer's fingerprint is the one of the certificate the connection actually presented
// (getStats), ours the one of the certificate we present. No DOM here:
// tests/e2e/e2ee-commitment.test.mjs runs it in node.

/** The form the commitment uses: "sha-256 AB:CD:…". */
export function normalizeFingerprint(algorithm: string, hex: string): string {
  return `${algorithm.trim().toLowerCase()} ${hex.trim().toUpperCase()}`;
}

/**
 * Every distinct fingerprint an SDP names, at session and media level. A line we cannot
 * parse counts as a value of its own: a browser might still accept it.
 */
export function sdpFingerprints(sdp: string | undefined | null): string[] {
  const all = new Set<string>();
  for (const [, value] of (sdp ?? '').matchAll(/^a=fingerprint:([^\r\n]*)/gim)) {
    const m = /^\s*(\S+)\s+([0-9A-Fa-f:]+)\s*$/.exec(value ?? '');
    all.add(m?.[1] && m[2] ? normalizeFingerprint(m[1], m[2]) : `unparsed ${value ?? ''}`);
  }
  return [...all];
}

/** What a remote description says about the peer's certificate. */
export interface SdpPeerFingerprint {
  /** The one fingerprint it names ('' when none or more than one). */
  fp: string;
  /** It names more than one: the browser may check another than the one we read. */
  conflict: boolean;
}

export function sdpPeerFingerprint(sdp: string | undefined | null): SdpPeerFingerprint {
  const all = sdpFingerprints(sdp);
  return { fp: all.length === 1 ? (all[0] ?? '') : '', conflict: all.length > 1 };
}

/** The subset of RTCStatsReport read here (a Map of stats objects by id). */
export interface StatsLike {
  get(id: string): unknown;
  forEach(callback: (stats: unknown) => void): void;
}

interface CertificateStats {
  type: 'certificate';
  fingerprint: string;
  fingerprintAlgorithm: string;
}

function certificate(report: StatsLike, id: unknown): string {
  if (typeof id !== 'string') {
    return '';
  }
  const s = report.get(id) as Partial<CertificateStats> | undefined;
  return s?.type === 'certificate' && s.fingerprint && s.fingerprintAlgorithm ? normalizeFingerprint(s.fingerprintAlgorithm, s.fingerprint) : '';
}

/** The certificates of a connection's DTLS transports ('' where the browser does not say). */
export interface CertificateFingerprints {
  local: string;
  remote: string;
  /** Transports that ended at different certificates of the peer. */
  conflict: boolean;
}

export function certificateFingerprints(report: StatsLike): CertificateFingerprints {
  const locals = new Set<string>();
  const remotes = new Set<string>();
  report.forEach((s) => {
    const t = s as { type?: string; localCertificateId?: unknown; remoteCertificateId?: unknown };
    if (t.type !== 'transport') {
      return;
    }
    const local = certificate(report, t.localCertificateId);
    const remote = certificate(report, t.remoteCertificateId);
    if (local) {
      locals.add(local);
    }
    if (remote) {
      remotes.add(remote);
    }
  });
  const [local = ''] = locals;
  const [remote = ''] = remotes;
  return { local, remote: remotes.size === 1 ? remote : '', conflict: remotes.size > 1 };
}
