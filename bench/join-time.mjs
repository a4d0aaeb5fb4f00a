#!/usr/bin/env node
// Join time: from the second participant's click on "Join" to the first remote video
// frame it presents (window.__medrtc.marks.joinClicked → marks.firstRemoteFrame, both
// performance.now() of that page). 10 trials, each in a fresh room with two Chromium
// pages; prints each trial, then a Markdown line and a JSON line with the median.
//
//   node bench/join-time.mjs [--trials 10] [--workers 1]
//
// Env: MEDRTC_BIN (default build/medrtc), MEDRTC_WEB_ROOT (default build/web; build it
// with scripts/lib/build-web.sh build/web), MEDRTC_CHROMIUM (default /usr/bin/chromium).
import { parseArgs } from 'node:util';
import { launchChromium } from '../tests/support/chromium.mjs';
import { clickJoin, closePages, joinCall } from '../tests/support/call-page.mjs';
import { createRoom, startServer, waitFor } from '../tests/support/server.mjs';

const { values } = parseArgs({
  options: {
    trials: { type: 'string', default: '10' },
    workers: { type: 'string', default: '1' },
  },
});
const trials = Number(values.trials);

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const server = await startServer({ workers: Number(values.workers) });
const browser = await launchChromium();
const results = [];
try {
  for (let i = 0; i < trials; i += 1) {
    const roomId = await createRoom(server);
    const first = await joinCall(browser, server, roomId, { identity: `host-${i}`, name: 'Host', role: 'host' });
    const second = await joinCall(browser, server, roomId, { identity: `guest-${i}`, name: 'Guest', join: false });
    try {
      await clickJoin(second);
      const marks = await waitFor(
        () => second.evaluate(() => (window.__medrtc.marks.firstRemoteFrame !== undefined ? window.__medrtc.marks : null)),
        { timeoutMs: 30_000, intervalMs: 50, what: 'the first remote frame' },
      );
      const ms = marks.firstRemoteFrame - marks.joinClicked;
      results.push(ms);
      console.log(`trial ${i + 1}: ${ms.toFixed(0)} ms`);
    } finally {
      await closePages([first, second]);
    }
  }
} finally {
  await browser.close();
  await server.stop();
}

const med = median(results);
console.log(`| join → first remote frame (median of ${results.length}) | ${med.toFixed(0)} ms | min ${Math.min(...results).toFixed(0)} ms | max ${Math.max(...results).toFixed(0)} ms |`);
console.log(JSON.stringify({ benchmark: 'join-time', unit: 'ms', trials: results.map((x) => Math.round(x)), median: Math.round(med) }));
