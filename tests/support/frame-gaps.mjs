// Samples a page's decoded remote video frames in the page itself (every 20 ms, so the
// test's own round trips do not blur it) to measure how long the video stood still.

/** Starts sampling the page's decoded frames (subscriber and P2P connections). */
export function startFrameSampler(page) {
  return page.evaluate(() => {
    window.__frameSamples = [];
    clearInterval(window.__frameSampler);
    window.__frameSampler = setInterval(async () => {
      let frames = 0;
      for (const pc of [window.__medrtc.subscriber, window.__medrtc.p2p]) {
        (await pc?.getStats())?.forEach((s) => {
          if (s.type === 'inbound-rtp' && (s.kind ?? s.mediaType) === 'video') {
            frames += s.framesDecoded ?? 0;
          }
        });
      }
      window.__frameSamples.push([performance.now(), frames]);
    }, 20);
  });
}

/** The page's clock (performance.now()), to mark an event in its samples. */
export function pageNow(page) {
  return page.evaluate(() => performance.now());
}

/**
 * The longest time (ms) the decoded frame count stood still after `since` (page clock;
 * default: the first sample), up to the last sample. Stops the sampler when `stop`.
 */
export async function longestFrameGap(page, { since, stop = true } = {}) {
  const samples = await page.evaluate((s) => {
    if (s) {
      clearInterval(window.__frameSampler);
    }
    return window.__frameSamples;
  }, stop);
  const from = since ?? samples[0]?.[0] ?? 0;
  let longest = 0;
  let lastChange = from;
  for (let i = 1; i < samples.length; i += 1) {
    if (samples[i][0] > from && samples[i][1] > samples[i - 1][1]) {
      longest = Math.max(longest, samples[i][0] - lastChange);
      lastChange = samples[i][0];
    }
  }
  const end = samples.at(-1)?.[0] ?? from;
  return Math.max(longest, end - lastChange);
}
