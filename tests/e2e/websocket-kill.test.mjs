// The signaling WebSocket is killed by the server's kernel while media flows (issue 11
// item 3): `ss -K` (SOCK_DESTROY, as root) aborts the server's end of every established TCP
// connection on the HTTP port, so the server reads ECONNABORTED and the browsers get a
// reset — a server-side close of the TCP connection, with no test hook in medrtc. Each
// client resumes its participant on a new socket (docs/protocol.md "Recovery"): same
// participant id, nobody sees participant_left, and the media never stops (the longest
// gap between decoded frames across the kill is measured and bounded).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { participantId, waitForRemoteMedia, waitForTileFrames } from '../support/call-page.mjs';
import { assertPagesClean, startTwoPartyCall, useCallSuite, withDiagnostics } from '../support/call-suite.mjs';
import { longestFrameGap, startFrameSampler } from '../support/frame-gaps.mjs';
import { waitFor } from '../support/server.mjs';

const run = promisify(execFile);
// At 30 frames/s the normal gap is ~33 ms; a stalled stream shows seconds.
const MAX_FRAME_GAP_MS = 1_000;

async function killUnavailable() {
  if (process.getuid?.() !== 0) {
    return 'needs root (ss -K)';
  }
  try {
    await run('ss', ['-V']);
  } catch {
    return 'needs iproute2 (ss)';
  }
  return null;
}
const unavailable = await killUnavailable();
const suite = useCallSuite();

test('a WebSocket killed server-side is resumed and the media never stops', { skip: unavailable ?? false, timeout: 90_000 }, (t) => withDiagnostics(t, suite, async () => {
  const { alice, bob } = await startTwoPartyCall(suite);
  const [aliceId, bobId] = await Promise.all([participantId(alice), participantId(bob)]);
  const port = new URL(suite.server.baseUrl).port;
  const logBefore = suite.server.logs().length;
  await Promise.all([startFrameSampler(alice), startFrameSampler(bob)]);
  await new Promise((r) => setTimeout(r, 1_000));

  const { stdout } = await run('ss', ['-K', '-t', 'state', 'established', 'sport', '=', `:${port}`]);
  const killed = stdout.trim().split('\n').length - 1;
  t.diagnostic(`ss -K aborted ${killed} TCP connection(s) on port ${port}`);
  assert.ok(killed >= 2, `expected both WebSockets among the killed connections:\n${stdout}`);

  await waitFor(() => Promise.all([alice, bob].map((p) => p.evaluate(() => window.__medrtc.resumes))).then((r) => r.every((n) => n >= 1)),
    { timeoutMs: 15_000, intervalMs: 50, what: 'both clients to resume' });
  await new Promise((r) => setTimeout(r, 3_000)); // media on, well past the resume
  const gaps = await Promise.all([longestFrameGap(alice), longestFrameGap(bob)]);
  t.diagnostic(`longest gap between decoded frames across the kill: Alice ${Math.round(gaps[0])} ms, Bob ${Math.round(gaps[1])} ms`);
  for (const gap of gaps) {
    assert.ok(gap < MAX_FRAME_GAP_MS, `video stalled for ${Math.round(gap)} ms across the kill`);
  }

  assert.equal(await participantId(alice), aliceId, 'Alice came back under another participant id');
  assert.equal(await participantId(bob), bobId, 'Bob came back under another participant id');
  for (const page of [alice, bob]) {
    assert.equal(await page.evaluate(() => window.__medrtc.state), 'in_call');
  }
  const log = suite.server.logs().slice(logBefore);
  assert.match(log, /participant_resumed/);
  assert.doesNotMatch(log, /participant_left|participant_joined/, 'someone was seen to leave or join');
  // Signaling works on the new sockets: Bob's mute reaches Alice's tile of him.
  await bob.getByRole('button', { name: 'Mute' }).click();
  await alice.getByRole('figure', { name: 'Video of Bob' }).getByText('Microphone off').waitFor({ state: 'visible', timeout: 10_000 });
  await Promise.all([waitForRemoteMedia(alice), waitForRemoteMedia(bob)]);
  await waitForTileFrames(alice, bobId);
  assert.equal(await alice.locator('figure.tile.remote').count(), 1);
  assert.equal(await bob.locator('figure.tile.remote').count(), 1);
  assertPagesClean(suite);
}));
