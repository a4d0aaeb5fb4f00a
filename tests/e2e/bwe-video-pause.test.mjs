// Downstream bandwidth estimation below the lowest layer (issue 12 item 4): Bob, in his own
// network namespace, receives Alice's video and audio; his downlink is capped at 60 kbit/s
// (tbf on the veth). The SFU's send-side estimate (transport-cc feedback from Bob's
// browser) falls below what the lowest simulcast layer needs, so Bob's video pauses while
// his audio keeps arriving; the cap removed, the estimate recovers (probing) and the video
// resumes by itself. docs/bandwidth-estimation.md has the rules.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { launchChromium } from '../support/chromium.mjs';
import { closePages, inboundStats, joinCall, waitForRemoteMedia } from '../support/call-page.mjs';
import { createNamespace, netnsUnavailable } from '../support/netns.mjs';
import { createRoom, startServer, waitFor } from '../support/server.mjs';

const CAP_KBIT = 60;
const PAUSE_WITHIN_MS = 25_000;
const RESUME_WITHIN_MS = 40_000;
const STILL_MS = 3_000; // no frame decoded for this long: paused
const unavailable = await netnsUnavailable();

const env = { netns: null, server: null, browser: null, nsBrowser: null, pages: [] };
before(async () => {
  if (unavailable) {
    return;
  }
  env.netns = await createNamespace();
  env.server = await startServer({ listen: '0.0.0.0:0', args: ['--insecure-http'] });
  env.browser = await launchChromium();
});
after(async () => {
  await closePages(env.pages);
  await env.browser?.close();
  await env.nsBrowser?.close();
  await env.server?.stop();
  await env.netns?.destroy();
});

test('at 60 kbit/s video pauses and audio continues; uncapped, video resumes', { skip: unavailable ?? false, timeout: 180_000 }, async (t) => {
  const port = new URL(env.server.baseUrl).port;
  const hostSide = { ...env.server, baseUrl: `http://127.0.0.1:${port}` };
  const nsSide = { ...env.server, baseUrl: `http://${env.netns.rootIp}:${port}` };
  env.nsBrowser = await env.netns.launchChromium({ args: [`--unsafely-treat-insecure-origin-as-secure=${nsSide.baseUrl}`] });
  try {
    const roomId = await createRoom(hostSide);
    const alice = await joinCall(env.browser, hostSide, roomId, { identity: 'alice', name: 'Alice', role: 'host' });
    env.pages.push(alice);
    const bob = await joinCall(env.nsBrowser, nsSide, roomId, { identity: 'bob', name: 'Bob' });
    env.pages.push(bob);
    await Promise.all([waitForRemoteMedia(alice), waitForRemoteMedia(bob)]);

    await env.netns.capDownlink(CAP_KBIT);
    const cappedAt = Date.now();
    // Paused: no frame decoded for STILL_MS, while audio packets keep arriving.
    let window = await inboundStats(bob);
    let windowStart = Date.now();
    const paused = await waitFor(async () => {
      const now = await inboundStats(bob);
      if (now.video.framesDecoded !== window.video.framesDecoded) {
        window = now;
        windowStart = Date.now();
        return null;
      }
      return Date.now() - windowStart >= STILL_MS ? { stats: now, since: windowStart } : null;
    }, { timeoutMs: PAUSE_WITHIN_MS, intervalMs: 250, what: `Bob's video to pause within ${PAUSE_WITHIN_MS} ms of a ${CAP_KBIT} kbit/s cap` });
    t.diagnostic(`video paused ${paused.since - cappedAt} ms after the cap`);
    // The SFU paused it (not merely a starved link): its allocation says so.
    await waitFor(async () => (/media_bandwidth_allocation [^\n]*paused=true/.test(env.server.logs()) ? true : null), {
      timeoutMs: 5_000, what: 'the SFU to log the pause of Bob\'s video',
    });
    // Audio continues under the cap.
    await waitFor(async () => {
      const now = await inboundStats(bob);
      return now.audio.packetsReceived >= paused.stats.audio.packetsReceived + 50 ? now : null;
    }, { timeoutMs: 5_000, what: 'Bob to keep receiving audio while his video is paused' });
    assert.ok((await inboundStats(bob)).video.framesDecoded <= paused.stats.video.framesDecoded + 2,
      'video stays paused under the cap');

    await env.netns.uncapDownlink();
    const uncappedAt = Date.now();
    const resumed = await waitFor(async () => {
      const now = await inboundStats(bob);
      return now.video.framesDecoded > paused.stats.video.framesDecoded + 30 ? now : null;
    }, { timeoutMs: RESUME_WITHIN_MS, intervalMs: 250, what: `Bob's video to resume within ${RESUME_WITHIN_MS} ms of the cap's removal` });
    t.diagnostic(`video resumed (30 frames decoded) ${Date.now() - uncappedAt} ms after the cap was removed`);
    assert.ok(resumed.audio.packetsReceived > paused.stats.audio.packetsReceived);
    const allocations = env.server.logs().split('\n').filter((l) => l.includes('media_bandwidth_allocation'));
    assert.match(allocations.at(-1) ?? '', /paused=false/, 'the last allocation resumed the video');
  } catch (err) {
    t.diagnostic(`server log:\n${env.server.logs()}`);
    throw err;
  } finally {
    await env.netns?.uncapDownlink();
  }
});
