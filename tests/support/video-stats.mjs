// getStats() figures for the adaptive-media tests (issue 12): what a publisher encodes per
// simulcast layer, what a subscriber decodes of one remote participant, and the share of
// the sent frames a subscriber decoded over a window.
import { waitFor } from './server.mjs';

/**
 * The page's video encodings: rid ('-' without simulcast) → { framesEncoded, frameHeight,
 * nackCount, retransmitted, …, limitation (qualityLimitationReason), active (false: the
 * browser stopped sending that encoding; undefined where it does not say) }.
 */
export async function outboundVideo(page) {
  return page.evaluate(async () => {
    const out = {};
    const report = await window.__medrtc.publisher.getStats();
    report.forEach((s) => {
      if (s.type === 'outbound-rtp' && (s.kind ?? s.mediaType) === 'video') {
        out[s.rid ?? '-'] = {
          framesEncoded: s.framesEncoded ?? 0,
          frameHeight: s.frameHeight ?? 0,
          nackCount: s.nackCount ?? 0,
          retransmitted: s.retransmittedPacketsSent ?? 0,
          keyFramesEncoded: s.keyFramesEncoded ?? 0,
          pliCount: s.pliCount ?? 0,
          framesSent: s.framesSent ?? 0,
          limitation: s.qualityLimitationReason,
          active: s.active,
        };
      }
    });
    return out;
  });
}

// An encoding whose frames rose within this window is running (a browser's frame rate
// drops under CPU load, so one 250 ms sample without a new frame is no stop).
const RUNNING_GAP_MS = 1_000;

/**
 * A publisher's encodings as its own getStats reports them, sampled over time: which run
 * (frames encoded rising within RUNNING_GAP_MS, not reported inactive) and since when
 * each has run without a break.
 */
export class PublisherEncodings {
  constructor(page) {
    this.page = page;
    this.previous = null;
    this.previousAt = null;
    this.lastRise = {};
    this.runningSince = {};
    this.sent = {};
  }

  async sample(now) {
    const sent = await outboundVideo(this.page);
    for (const [rid, layer] of Object.entries(sent)) {
      if (this.previous && layer.framesEncoded > (this.previous[rid]?.framesEncoded ?? 0)) {
        // It started somewhere since the last sample: the earlier bound, so that a wait
        // measured from `since` is never shortened.
        if (this.lastRise[rid] === undefined || now - this.lastRise[rid] > RUNNING_GAP_MS) {
          this.runningSince[rid] = this.previousAt;
        }
        this.lastRise[rid] = now;
      }
    }
    this.previous = sent;
    this.previousAt = now;
    this.sent = sent;
  }

  /** The rids of the encodings running now. */
  running(now) {
    return Object.keys(this.sent)
      .filter((rid) => this.sent[rid].active !== false && this.lastRise[rid] !== undefined && now - this.lastRise[rid] <= RUNNING_GAP_MS);
  }

  /** The tallest running encoding now: { rid, frameHeight, since, limitation } or null. */
  top(now) {
    const [rid] = this.running(now).sort((a, b) => this.sent[b].frameHeight - this.sent[a].frameHeight);
    if (rid === undefined) {
      return null;
    }
    const l = this.sent[rid];
    return { rid, frameHeight: l.frameHeight, since: this.runningSince[rid], limitation: l.limitation };
  }

  /**
   * One line: per encoding its height, frames and keyframes encoded since `before`, PLIs
   * received, qualityLimitationReason and active flag.
   */
  describe(before) {
    return Object.entries(this.sent)
      .map(([rid, l]) => `${rid}${l.frameHeight}+${l.framesEncoded - (before?.[rid]?.framesEncoded ?? 0)}`
        + ` k${l.keyFramesEncoded - (before?.[rid]?.keyFramesEncoded ?? 0)} pli${l.pliCount} (${l.limitation}${l.active === false ? ',off' : ''})`)
      .join(' ');
  }
}

/**
 * Waits until `subscriber` decodes the tallest encoding `publisher` is sending (its own
 * getStats, PublisherEncodings) and that encoding is taller than `aboveHeight`. Returns
 * { rid, frameHeight, since (when that encoding started running), at, limitation, trace }
 * where `trace` has one line a second from `from` on: the subscriber's decoded height and
 * the publisher's encodings. `onTrace(trace)` is called however it ends (a diagnostic).
 */
export async function waitForPublishersTop(publisher, subscriber, { aboveHeight, from = Date.now(), timeoutMs, onTrace = () => {} }) {
  const encodings = new PublisherEncodings(publisher);
  const trace = [];
  let lastTraced = -Infinity;
  let traceBase = null;
  let decodedBase = null;
  await encodings.sample(Date.now());
  try {
    const reached = await waitFor(async () => {
      const v = await inboundVideo(subscriber);
      const now = Date.now();
      await encodings.sample(now);
      const best = encodings.top(now);
      if (now - lastTraced >= 1_000) {
        trace.push(`+${((now - from) / 1000).toFixed(1)}s sub=${v.frameHeight}+${v.framesDecoded - (decodedBase ?? v).framesDecoded}`
          + ` ${Math.round(((v.bytesReceived - (decodedBase ?? v).bytesReceived) * 8) / Math.max(1, now - lastTraced))}kbit/s`
          + ` k${v.keyFramesDecoded - (decodedBase ?? v).keyFramesDecoded} pli${v.pliCount} lost${v.packetsLost} pub: ${encodings.describe(traceBase)}`);
        traceBase = encodings.sent;
        decodedBase = v;
        lastTraced = now;
      }
      if (!best || best.frameHeight <= aboveHeight || v.frameHeight < best.frameHeight) {
        return null;
      }
      return { ...best, at: now };
    }, { timeoutMs, intervalMs: 250, what: `the subscriber to decode the tallest layer the publisher sends, above ${aboveHeight} px` });
    return { ...reached, trace };
  } finally {
    onTrace(trace);
  }
}

/**
 * What the page decodes of remote video: of the participant `fromId` (the stream shown in
 * that participant's tile), or of every remote video summed (frameHeight: the largest)
 * when `fromId` is omitted.
 */
export async function inboundVideo(page, fromId = null) {
  return page.evaluate(async (pid) => {
    let trackId = null;
    if (pid) {
      const video = document.querySelector(`figure.tile.remote[data-participant-id="${pid}"] video`);
      trackId = video?.srcObject?.getVideoTracks?.()[0]?.id ?? '(no tile)';
    }
    const out = {
      framesDecoded: 0, framesReceived: 0, framesDropped: 0, frameHeight: 0, packetsLost: 0, nackCount: 0, pliCount: 0, freezeCount: 0, bytesReceived: 0, keyFramesDecoded: 0,
    };
    const report = await window.__medrtc.subscriber.getStats();
    report.forEach((s) => {
      if (s.type !== 'inbound-rtp' || (s.kind ?? s.mediaType) !== 'video' || (trackId && s.trackIdentifier !== trackId)) {
        return;
      }
      out.framesDecoded += s.framesDecoded ?? 0;
      out.framesReceived += s.framesReceived ?? 0;
      out.framesDropped += s.framesDropped ?? 0;
      out.pliCount += s.pliCount ?? 0;
      out.frameHeight = Math.max(out.frameHeight, s.frameHeight ?? 0);
      out.packetsLost += s.packetsLost ?? 0;
      out.nackCount += s.nackCount ?? 0;
      out.freezeCount += s.freezeCount ?? 0;
      out.bytesReceived += s.bytesReceived ?? 0;
      out.keyFramesDecoded += s.keyFramesDecoded ?? 0;
    });
    return out;
  }, fromId);
}

/** The encoding a subscriber receives: the one whose height it decodes (the tallest if none match). */
export function forwardedRid(sent, decodedHeight) {
  const rids = Object.keys(sent);
  const match = rids.find((rid) => sent[rid].frameHeight === decodedHeight);
  return match ?? rids.sort((a, b) => sent[b].frameHeight - sent[a].frameHeight)[0];
}

/**
 * Over `windowMs`, the frames `sender` encoded on the layer `receiver` gets and the frames
 * `receiver` decoded of it. Chromium's encoder may drop frames of one layer and not another
 * (CPU), and the SFU may change the layer: sampling every `sampleMs` counts, per interval,
 * the frames encoded on the layer decoded at its end. `heights`: each rid:height seen;
 * `trace`: per sample, rid:height and each layer's height and frames encoded since the last.
 *
 * Chromium also pauses its top layer now and then (its own estimate of the publisher's
 * uplink, or CPU), and the SFU then has to move every subscriber down and back up on a
 * keyframe: `steady` sums only the intervals in which the sender's top layer had been
 * encoding for `steadyMs` (longer than the SFU's 2 s before an upgrade), with `offTop`
 * counting those in which the receiver did not decode that top layer; `received` counts
 * the frames that arrived complete (what the SFU delivered), `decoded` those the receiving
 * Chromium also decoded (its CPU too: under load it drops frames, `framesDropped`).
 */
export async function decodedShare(sender, receiver, { windowMs, sampleMs = 500, fromId = null, steadyMs = 3_000 }) {
  let [sentPrev, gotPrev] = await Promise.all([outboundVideo(sender), inboundVideo(receiver, fromId)]);
  const first = { sent: sentPrev, got: gotPrev };
  let encoded = 0;
  const heights = new Set();
  const trace = [];
  const steady = { encoded: 0, decoded: 0, received: 0, intervals: 0, offTop: 0 };
  let top = null;
  let topSince = Date.now();
  for (const end = Date.now() + windowMs; Date.now() < end;) {
    await new Promise((r) => setTimeout(r, sampleMs));
    const now = Date.now();
    const [sentNow, gotNow] = await Promise.all([outboundVideo(sender), inboundVideo(receiver, fromId)]);
    const rid = forwardedRid(sentNow, gotNow.frameHeight);
    const encodedNow = sentNow[rid].framesEncoded - (sentPrev[rid]?.framesEncoded ?? 0);
    encoded += encodedNow;
    heights.add(`${rid}:${gotNow.frameHeight}`);
    trace.push(`${rid}:${gotNow.frameHeight}[${Object.entries(sentNow).map(([r, l]) => `${r}${l.frameHeight}+${l.framesEncoded - (sentPrev[r]?.framesEncoded ?? 0)}`).join(' ')}]`);
    // The sender's top layer in this interval: the tallest one that encoded frames.
    const running = Object.entries(sentNow).filter(([r, l]) => l.framesEncoded > (sentPrev[r]?.framesEncoded ?? 0));
    const topNow = running.sort(([, a], [, b]) => b.frameHeight - a.frameHeight)[0] ?? null;
    const topKey = topNow ? `${topNow[0]}:${topNow[1].frameHeight}` : null;
    if (topKey !== top) {
      top = topKey;
      topSince = now;
    } else if (topNow && now - topSince >= steadyMs) {
      steady.intervals += 1;
      steady.encoded += encodedNow;
      steady.decoded += gotNow.framesDecoded - gotPrev.framesDecoded;
      steady.received += gotNow.framesReceived - gotPrev.framesReceived;
      if (gotNow.frameHeight < topNow[1].frameHeight) {
        steady.offTop += 1;
      }
    }
    sentPrev = sentNow;
    gotPrev = gotNow;
  }
  const decoded = gotPrev.framesDecoded - first.got.framesDecoded;
  steady.share = steady.encoded > 0 ? steady.decoded / steady.encoded : 0;
  steady.receivedShare = steady.encoded > 0 ? steady.received / steady.encoded : 0;
  return {
    encoded,
    decoded,
    share: encoded > 0 ? decoded / encoded : 0,
    steady,
    heights: [...heights],
    minHeight: Math.min(...[...heights].map((h) => Number(h.split(':')[1]))),
    trace,
    first,
    last: { sent: sentPrev, got: gotPrev },
  };
}
