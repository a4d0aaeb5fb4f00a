// Reads what the SFU forwarded, as recorded by the test binary `medrtc-tap` (docs/e2ee.md
// "The test tap"): with MEDRTC_TEST_TAP_DIR=<dir> it appends every RTP packet it forwards,
// after SRTP unprotect, to <dir>/<ssrc>.tap as records
//   u64 ms since start | u32 ssrc | u16 seq | u8 payload type | u8 marker | u32 length | payload
// all big-endian. The E2EE tests use it to show the forwarded payloads are ciphertext.
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { repoRoot } from './server.mjs';

const HEADER_BYTES = 8 + 4 + 2 + 1 + 1 + 4;

/**
 * The medrtc-tap binary: MEDRTC_TAP_BIN (scripts/test sets it), else medrtc-tap next to
 * MEDRTC_BIN, else build/medrtc-tap. Build it with `cmake --build build --target medrtc-tap`.
 */
export function tapBinary() {
  if (process.env.MEDRTC_TAP_BIN) {
    return process.env.MEDRTC_TAP_BIN;
  }
  if (process.env.MEDRTC_BIN) {
    const sibling = path.join(path.dirname(process.env.MEDRTC_BIN), 'medrtc-tap');
    if (existsSync(sibling)) {
      return sibling;
    }
  }
  return path.join(repoRoot, 'build/medrtc-tap');
}

/** Parses one .tap file's bytes; a record cut short at the end (still being written) is left out. */
export function parseTap(bytes) {
  const records = [];
  let offset = 0;
  while (offset + HEADER_BYTES <= bytes.length) {
    const ms = Number(bytes.readBigUInt64BE(offset));
    const ssrc = bytes.readUInt32BE(offset + 8);
    const seq = bytes.readUInt16BE(offset + 12);
    const payloadType = bytes.readUInt8(offset + 14);
    const marker = bytes.readUInt8(offset + 15) === 1;
    const length = bytes.readUInt32BE(offset + 16);
    const start = offset + HEADER_BYTES;
    if (start + length > bytes.length) {
      break;
    }
    records.push({ ms, ssrc, seq, payloadType, marker, payload: Buffer.from(bytes.subarray(start, start + length)) });
    offset = start + length;
  }
  return records;
}

/**
 * Every record under `dir` (all SSRCs), in time order.
 * @returns {Promise<Array<{ms: number, ssrc: number, seq: number, payloadType: number, marker: boolean, payload: Buffer}>>}
 */
export async function readTap(dir) {
  let names = [];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.tap'));
  } catch (err) {
    if (err.code === 'ENOENT') {
      return [];
    }
    throw err;
  }
  const all = [];
  for (const name of names) {
    all.push(...parseTap(await readFile(path.join(dir, name))));
  }
  return all.sort((a, b) => a.ms - b.ms);
}
