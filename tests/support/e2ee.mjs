// Helpers for the end-to-end encryption tests (docs/e2ee.md): the security code a page
// shows, the SFrame worker's counters, the test-only key log (`window.__medrtcE2eeKeyLog`,
// kept only when a test creates it before "Join"), and the web client's own SFrame code
// (web/src/call/e2ee/sframe.ts) loaded into node to decrypt what the SFU forwarded.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import ts from 'typescript';
import { clickJoin } from './call-page.mjs';
import { repoRoot, waitFor } from './server.mjs';

/**
 * A module of web/src/call/e2ee/ transpiled for node (WebCrypto is global there); its
 * imports of sibling modules are loaded the same way, recursively. Only for the modules
 * that need no DOM: sframe.ts, pairwise.ts, sas.ts, commitment.ts, dtls-fingerprint.ts.
 */
export async function loadE2eeModule(name) {
  return import(await moduleUrl(name));
}

async function moduleUrl(name) {
  const source = await readFile(path.join(repoRoot, 'web/src/call/e2ee', `${name}.ts`), 'utf8');
  let { outputText } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  });
  for (const [, dep] of outputText.matchAll(/from '\.\/([a-z-]+)'/g)) {
    outputText = outputText.replace(`from './${dep}'`, `from '${await moduleUrl(dep)}'`);
  }
  return `data:text/javascript;base64,${Buffer.from(outputText).toString('base64')}`;
}

/** The web client's sframe.ts (self-contained), transpiled for node. */
export function loadSframe() {
  return loadE2eeModule('sframe');
}

/** Clicks "Join" on a page opened with `join: false`, logging every E2EE key it handles. */
export async function joinWithKeyLog(page) {
  await page.evaluate(() => {
    window.__medrtcE2eeKeyLog = [];
  });
  await clickJoin(page);
  return page;
}

export async function keyLog(page) {
  return page.evaluate(() => window.__medrtcE2eeKeyLog ?? []);
}

/** The security code the page shows under "Security code" ("123 456"), or its placeholder. */
export async function securityCode(page) {
  return page.evaluate(() => document.querySelector('section[aria-labelledby="sas-title"] .sas-code')?.textContent ?? null);
}

/** Waits until every page shows the same 6-digit code and returns it. */
export async function waitForSameCode(pages, { not } = {}) {
  return waitFor(async () => {
    const codes = await Promise.all(pages.map(securityCode));
    const first = codes[0];
    return first && /^\d{3} \d{3}$/.test(first) && first !== not && codes.every((c) => c === first) ? first : null;
  }, { timeoutMs: 20_000, what: `the same security code on ${pages.map((p) => p.displayName).join(', ')}${not ? ` (not ${not})` : ''}` });
}

/** The SFrame worker's counters: { encrypted, decrypted, noKey, failed, replayed, refusedKeys, sendKid, cryptoMs }. */
export async function e2eeStats(page) {
  return page.evaluate(() => window.__medrtc.e2ee?.stats ?? null);
}

/** Waits until the page's worker encrypts and decrypts more frames than before. */
export async function waitForFramesCrypted(page) {
  const first = await waitFor(() => e2eeStats(page), { what: `${page.displayName} to have E2EE stats` });
  return waitFor(async () => {
    const s = await e2eeStats(page);
    return s && s.encrypted > first.encrypted + 10 && s.decrypted > first.decrypted + 10 ? s : null;
  }, { timeoutMs: 15_000, what: `${page.displayName} to encrypt and decrypt frames` });
}

/** The video codec the page's publisher sends (e.g. "video/VP8"), from getStats. */
export async function sentVideoCodec(page) {
  return page.evaluate(async () => {
    const report = await window.__medrtc.publisher?.getStats();
    let codecId = null;
    report?.forEach((s) => {
      if (s.type === 'outbound-rtp' && (s.kind ?? s.mediaType) === 'video' && s.codecId) {
        codecId = s.codecId;
      }
    });
    return codecId ? report.get(codecId)?.mimeType ?? null : null;
  });
}

// The server's payload types (src/sdp/server_capabilities.cpp): Opus 111, VP8 96.
const PT_OPUS = 111;
const PT_VP8 = 96;

// A publisher's payload types are its own offer's (the tap records before the rewrite for
// each subscriber): Firefox offers Opus as 109 and VP8 as 120.
export const FIREFOX_PTS = { opus: [109], vp8: [120] };

/**
 * The media frames in tap records (tests/support/media-tap.mjs readTap): each Opus packet
 * is one frame; VP8 frames are put back together from their packets (RFC 7741 payload
 * descriptor: S bit and partition 0 start a frame, the marker ends it). Returns
 * [{ ssrc, ms, kind, data }], `ms` of the frame's last packet. RTX and others are skipped.
 * `extra` adds payload types ({ opus: [...], vp8: [...] }, e.g. FIREFOX_PTS).
 */
export function tapFrames(records, extra = { opus: [], vp8: [] }) {
  const opusPts = new Set([PT_OPUS, ...extra.opus]);
  const vp8Pts = new Set([PT_VP8, ...extra.vp8]);
  const frames = [];
  const open = new Map(); // ssrc → { parts, next seq }
  for (const r of records) {
    if (opusPts.has(r.payloadType) && r.payload.length > 0) {
      frames.push({ ssrc: r.ssrc, ms: r.ms, kind: 'audio', data: Buffer.from(r.payload) });
      continue;
    }
    const vp8 = vp8Pts.has(r.payloadType) ? vp8Payload(r.payload) : null;
    if (!vp8) {
      continue;
    }
    let frame = open.get(r.ssrc);
    if (vp8.start) {
      frame = { parts: [], seq: r.seq };
      open.set(r.ssrc, frame);
    }
    if (!frame || frame.seq !== r.seq) {
      open.delete(r.ssrc); // a gap: this frame cannot be put together
      continue;
    }
    frame.parts.push(vp8.data);
    frame.seq = (r.seq + 1) & 0xffff;
    if (r.marker) {
      frames.push({ ssrc: r.ssrc, ms: r.ms, kind: 'video', data: Buffer.concat(frame.parts) });
      open.delete(r.ssrc);
    }
  }
  return frames;
}

function vp8Payload(p) {
  const b0 = p[0];
  let at = 1;
  if (b0 & 0x80) {
    const x = p[at++];
    if (x === undefined) {
      return null;
    }
    if (x & 0x80) {
      at += (p[at] & 0x80) ? 2 : 1;
    }
    if (x & 0x40) {
      at += 1;
    }
    if (x & 0x30) {
      at += 1;
    }
  }
  if (at >= p.length) {
    return null;
  }
  return { start: (b0 & 0x10) !== 0 && (b0 & 0x07) === 0, data: Buffer.from(p.subarray(at)) };
}

/**
 * Tries to decrypt a tap frame with `keys` ([{ kid, key (hex) }]): the clear prefix is
 * Opus's TOC byte or VP8's 10-byte key frame / 3-byte delta frame header (docs/e2ee.md).
 * Returns { kid, decrypted } where kid is the SFrame header's KID (null: no header).
 */
export async function tryDecrypt(sframe, frame, keys) {
  const prefix = frame.kind === 'audio' ? 1 : (frame.data[0] & 1) === 0 ? 10 : 3;
  const body = new Uint8Array(frame.data.subarray(prefix));
  const header = sframe.decodeHeader(body);
  if (!header) {
    return { kid: null, decrypted: false };
  }
  const kid = String(header.kid);
  for (const k of keys.filter((x) => x.kid === kid)) {
    const key = await sframe.importSFrameKey(header.kid, Uint8Array.from(Buffer.from(k.key, 'hex')));
    try {
      await sframe.decrypt(() => key, body, new Uint8Array(frame.data.subarray(0, prefix)));
      return { kid, decrypted: true };
    } catch {
      // the next key with this KID, if any
    }
  }
  return { kid, decrypted: false };
}

/**
 * The DTLS fingerprints of a page's direct connection, as the page's browser sees them:
 * `used` from getStats (the certificates of its DTLS transports; '' where the browser does
 * not report them), `described` every a=fingerprint of its descriptions (docs/e2ee.md).
 */
export async function p2pCertificates(page) {
  return page.evaluate(async () => {
    const pc = window.__medrtc.p2p;
    const all = (sdp) => [...new Set([...(sdp ?? '').matchAll(/^a=fingerprint:(\S+) (\S+)/gm)].map((m) => `${m[1].toLowerCase()} ${m[2].toUpperCase()}`))];
    const used = { local: '', remote: '' };
    if (pc) {
      const stats = await pc.getStats();
      const cert = (id) => {
        const s = id ? stats.get(id) : undefined;
        return s?.fingerprint ? `${s.fingerprintAlgorithm.toLowerCase()} ${s.fingerprint.toUpperCase()}` : '';
      };
      stats.forEach((s) => {
        if (s.type === 'transport') {
          used.local ||= cert(s.localCertificateId);
          used.remote ||= cert(s.remoteCertificateId);
        }
      });
    }
    return { used, described: { local: all(pc?.localDescription?.sdp), remote: all(pc?.remoteDescription?.sdp) } };
  });
}
