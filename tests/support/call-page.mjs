// Helpers for browser tests that drive the web client (web/call.html) through Chromium:
// joining, reading WebRTC stats from `window.__medrtc`, and waiting on them (polling,
// never fixed sleeps).
import assert from 'node:assert/strict';
import { createToken, waitFor } from './server.mjs';
import { foreignRequests, newCallPage } from './chromium.mjs';

/** Opens a join link for a new token in its own browser context and clicks "Join". */
export async function joinCall(browser, server, roomId, { identity, name, role = 'guest', join = true } = {}) {
  const { join_url: joinUrl } = await createToken(server, roomId, { identity, name, role });
  const page = await newCallPage(browser, server.baseUrl + joinUrl);
  page.displayName = name;
  if (join) {
    await clickJoin(page);
  }
  return page;
}

/** Like joinCall, but the page may only use TURN relay candidates (window.__medrtcForceRelay). */
export async function joinCallRelayOnly(browser, server, roomId, { identity, name, role = 'guest' } = {}) {
  const { join_url: joinUrl } = await createToken(server, roomId, { identity, name, role });
  const page = await newCallPage(browser, server.baseUrl + joinUrl, { goto: false });
  page.displayName = name;
  await page.addInitScript(() => {
    window.__medrtcForceRelay = true;
  });
  await page.goto(server.baseUrl + joinUrl);
  await clickJoin(page);
  return page;
}

export async function clickJoin(page) {
  await page.getByRole('button', { name: 'Join' }).click();
  await waitFor(() => page.evaluate(() => window.__medrtc.state === 'in_call' && window.__medrtc.participantId), {
    timeoutMs: 15_000,
    what: `${page.displayName ?? 'page'} to reach state in_call`,
  });
}

/**
 * Sums of the inbound-rtp stats of what the page receives, per kind: the subscriber
 * connection to the server and, in a peer-to-peer 1:1 call (docs/p2p.md), the direct one.
 */
export async function inboundStats(page) {
  return page.evaluate(async () => {
    const out = { video: { framesDecoded: 0, packetsReceived: 0, streams: 0 }, audio: { packetsReceived: 0, bytesReceived: 0, totalSamplesReceived: 0, streams: 0 } };
    for (const pc of [window.__medrtc.subscriber, window.__medrtc.p2p]) {
      if (!pc) {
        continue;
      }
      const report = await pc.getStats();
      report.forEach((s) => {
        if (s.type !== 'inbound-rtp') {
          return;
        }
        const kind = s.kind ?? s.mediaType;
        if (kind === 'video') {
          out.video.framesDecoded += s.framesDecoded ?? 0;
          out.video.packetsReceived += s.packetsReceived ?? 0;
          out.video.streams += 1;
        } else if (kind === 'audio') {
          out.audio.packetsReceived += s.packetsReceived ?? 0;
          out.audio.bytesReceived += s.bytesReceived ?? 0;
          out.audio.totalSamplesReceived += s.totalSamplesReceived ?? 0;
          out.audio.streams += 1;
        }
      });
    }
    return out;
  });
}

/**
 * Waits until the page decodes remote video (framesDecoded past `minFrames` and still
 * rising) and receives remote audio (packets rising).
 */
export async function waitForRemoteMedia(page, { minFrames = 20, timeoutMs = 30_000 } = {}) {
  const who = page.displayName ?? 'page';
  const first = await waitFor(async () => {
    const s = await inboundStats(page);
    return s.video.framesDecoded > minFrames && s.audio.packetsReceived > 0 ? s : null;
  }, { timeoutMs, what: `${who} to decode > ${minFrames} remote video frames and receive audio` });
  return waitFor(async () => {
    const s = await inboundStats(page);
    return s.video.framesDecoded > first.video.framesDecoded
      && s.audio.packetsReceived > first.audio.packetsReceived
      && (s.audio.totalSamplesReceived > first.audio.totalSamplesReceived || first.audio.totalSamplesReceived === 0)
      ? s
      : null;
  }, { timeoutMs: 10_000, what: `${who}'s remote video frames and audio to keep rising` });
}

/** Frames the remote tile of `participantId` has presented (per element, not per stream). */
export async function tileFrames(page, participantId) {
  return page.evaluate((pid) => {
    const video = document.querySelector(`figure.tile.remote[data-participant-id="${pid}"] video`);
    if (!video) {
      return -1;
    }
    // Firefox leaves getVideoPlaybackQuality() at 0 for a MediaStream source; its
    // mozPaintedFrames counts the frames painted into this element.
    return Math.max(video.getVideoPlaybackQuality().totalVideoFrames, video.mozPaintedFrames ?? 0);
  }, participantId);
}

/** Waits until the tile of `participantId` on `page` shows frames and keeps showing more. */
export async function waitForTileFrames(page, participantId, { minFrames = 10, timeoutMs = 30_000 } = {}) {
  const first = await waitFor(async () => {
    const n = await tileFrames(page, participantId);
    return n > minFrames ? n : null;
  }, { timeoutMs, what: `${page.displayName ?? 'page'} to show frames of ${participantId}` });
  return waitFor(async () => {
    const n = await tileFrames(page, participantId);
    return n > first ? n : null;
  }, { timeoutMs: 10_000, what: `${page.displayName ?? 'page'}'s tile of ${participantId} to keep showing frames` });
}

export async function participantId(page) {
  return page.evaluate(() => window.__medrtc.participantId);
}

/** Asserts that every request the page made went to the server's own origin. */
export function assertNoForeignRequests(page, baseUrl) {
  const foreign = foreignRequests(page, baseUrl);
  assert.deepEqual(foreign, [], `${page.displayName ?? 'page'} made requests to other origins`);
}

/** Closes the pages' contexts, ignoring errors (for `after`). */
export async function closePages(pages) {
  await Promise.all(pages.filter(Boolean).map((p) => p.context().close().catch(() => {})));
}

/**
 * Asserts the page logged no client-side negotiation failure or uncaught error (the web
 * client logs `medrtc: could not …` when it cannot apply an offer/answer).
 */
export function assertNoClientErrors(page) {
  const bad = page.consoleMessages.filter((m) => /medrtc: could not|pageerror:|publish_answer could not/.test(m));
  assert.deepEqual(bad, [], `${page.displayName ?? 'page'} logged client errors`);
}

/**
 * The selected candidate pair of the page's connection `which` (`'p2p'`, `'publisher'` or
 * `'subscriber'` of `window.__medrtc`): local and remote address, port and type; null
 * until it is connected. Chromium names the pair in its `transport` stats; Firefox has no
 * `transport` stats and marks the pair `selected` instead.
 */
export async function selectedPair(page, which = 'p2p') {
  return page.evaluate(async (name) => {
    const pc = window.__medrtc[name];
    if (!pc || pc.connectionState !== 'connected') {
      return null;
    }
    const stats = await pc.getStats();
    let pair = null;
    stats.forEach((s) => {
      if (s.type === 'transport' && s.selectedCandidatePairId) {
        pair = stats.get(s.selectedCandidatePairId) ?? pair;
      }
    });
    stats.forEach((s) => {
      if (!pair && s.type === 'candidate-pair' && s.selected) {
        pair = s;
      }
    });
    if (!pair) {
      return null;
    }
    const local = stats.get(pair.localCandidateId);
    const remote = stats.get(pair.remoteCandidateId);
    if (!local || !remote) {
      return null;
    }
    return {
      local: { address: local.address ?? local.ip, port: local.port, type: local.candidateType },
      remote: { address: remote.address ?? remote.ip, port: remote.port, type: remote.candidateType },
    };
  }, which);
}

/**
 * The selected candidate pair of each of a page's server connections ('publisher',
 * 'subscriber'), for tests of how a call got through (relay, ICE-TCP, TURN/TLS):
 * candidate types and protocols, the relay's protocol, bytes on the pair, how many UDP
 * pairs succeeded, and the ICE configuration the client was given.
 */
export async function serverPairs(page) {
  return page.evaluate(async () => {
    const out = {};
    for (const name of ['publisher', 'subscriber']) {
      const pc = window.__medrtc[name];
      if (!pc) {
        continue;
      }
      const stats = await pc.getStats();
      let pair = null;
      let udpPairsSucceeded = 0;
      stats.forEach((s) => {
        if (s.type === 'transport' && s.selectedCandidatePairId) {
          pair = stats.get(s.selectedCandidatePairId);
        }
        if (s.type === 'candidate-pair' && s.state === 'succeeded' && stats.get(s.localCandidateId)?.protocol === 'udp') {
          udpPairsSucceeded += 1;
        }
      });
      if (!pair) {
        stats.forEach((s) => {
          if (s.type === 'candidate-pair' && s.state === 'succeeded' && s.nominated) {
            pair = s;
          }
        });
      }
      const local = pair ? stats.get(pair.localCandidateId) : null;
      const remote = pair ? stats.get(pair.remoteCandidateId) : null;
      const config = pc.getConfiguration();
      out[name] = {
        localType: local?.candidateType ?? null,
        localProtocol: local?.protocol ?? null,
        relayProtocol: local?.relayProtocol ?? null,
        remoteType: remote?.candidateType ?? null,
        remoteProtocol: remote?.protocol ?? null,
        remoteTcpType: remote?.tcpType ?? null,
        remoteAddress: remote ? `${remote.address ?? remote.ip}:${remote.port}` : null,
        bytesSent: pair?.bytesSent ?? 0,
        bytesReceived: pair?.bytesReceived ?? 0,
        udpPairsSucceeded,
        iceServers: config.iceServers?.length ?? 0,
        iceServerUrls: (config.iceServers ?? []).flatMap((server) => [].concat(server.urls)),
        policy: config.iceTransportPolicy,
      };
    }
    return out;
  });
}
