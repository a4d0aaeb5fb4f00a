#include "sfu/media_counters.hpp"

#include <string>

namespace medrtc::sfu {

namespace {

thread_local MediaCounters* tlsCounters = nullptr;

}  // namespace

MediaCounters::MediaCounters()
    : jitterSeconds({0.001, 0.0025, 0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.25, 0.5, 1}),
      roundTripSeconds({0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 1, 2}),
      // The rating steps (40 poor/fair, 80 fair/good) are bucket bounds.
      qualityScore({20, 40, 60, 70, 80, 90, 95, 100}),
      // Browsers send at most three layers: 0, 1, 2.
      forwardedLayer({0, 1, 2}) {}

MediaCounters& mediaCounters() {
  if (tlsCounters != nullptr) {
    return *tlsCounters;
  }
  // Shared by every non-worker thread (its counts may be lost to concurrent adds); nothing
  // scrapes it.
  static MediaCounters spare;
  return spare;
}

void bindMediaCounters(MediaCounters* counters) { tlsCounters = counters; }

void collectMediaCounters(const MediaCounters& c, int workerIndex, std::vector<metrics::Family>& out) {
  using metrics::MetricType;
  const metrics::Labels worker{{"worker", std::to_string(workerIndex)}};
  auto counter = [&](const char* name, const char* help, const metrics::OwnedCounter& value) {
    metrics::merge(out, metrics::Family{name, help, MetricType::kCounter,
                                        {{worker, static_cast<double>(value.value())}}, {}});
  };
  counter("medrtc_media_packets_received_total", "SRTP and SRTCP packets received on connected transports.",
          c.packetsReceived);
  counter("medrtc_media_received_bytes_total", "Bytes of SRTP and SRTCP packets received.", c.bytesReceived);
  counter("medrtc_media_packets_sent_total", "SRTP and SRTCP packets sent.", c.packetsSent);
  counter("medrtc_media_sent_bytes_total", "Bytes of SRTP and SRTCP packets sent.", c.bytesSent);
  counter("medrtc_media_nacks_received_total", "Packets subscribers asked for again (RTCP NACK entries).",
          c.nacksReceived);
  counter("medrtc_media_retransmissions_sent_total", "Packets resent from the cache in answer to a NACK.",
          c.retransmissionsSent);
  counter("medrtc_media_plis_received_total", "Picture loss indications received from subscribers.",
          c.plisReceived);
  counter("medrtc_media_plis_sent_total", "Picture loss indications sent to publishers.", c.plisSent);
  counter("medrtc_media_packets_lost_total", "Publishers' packets that never arrived (RFC 3550 A.3).",
          c.packetsLost);
  counter("medrtc_media_nacks_sent_total", "Packets asked of publishers again (RTCP NACK entries sent, retries included).",
          c.nacksSent);
  counter("medrtc_media_gaps_repaired_total", "Publishers' missing packets that arrived after a gap (RTX or late).",
          c.gapsRepaired);
  auto dropped = [&](const char* reason, const metrics::OwnedCounter& value) {
    metrics::Labels labels = worker;
    labels.emplace_back("reason", reason);
    metrics::merge(out, metrics::Family{"medrtc_media_rtp_dropped_total",
                                        "Publishers' RTP packets dropped as bad input, by reason.",
                                        MetricType::kCounter, {{labels, static_cast<double>(value.value())}}, {}});
  };
  dropped("unknown_ssrc", c.droppedUnknownSsrc);
  dropped("unknown_rid", c.droppedUnknownRid);
  dropped("unknown_payload_type", c.droppedUnknownPayloadType);
  counter("medrtc_probes_opened_total", "Pre-call connectivity probes opened (not participants).", c.probesOpened);
  counter("medrtc_probes_connected_total", "Connectivity probes whose ICE and DTLS completed.", c.probesConnected);
  metrics::merge(out, metrics::Family{"medrtc_probes_active", "Connectivity probes open now.", MetricType::kGauge,
                                      {{worker, static_cast<double>(c.probesOpened.value() - c.probesClosed.value())}},
                                      {}});
  counter("medrtc_media_video_freezes_total",
          "Video freezes on forwarded video (W3C freezeCount: a frame gap of at least max(3x, +150 ms) the average).",
          c.videoFreezes);
  counter("medrtc_media_transport_cc_feedback_total",
          "Transport-cc feedback packets from subscribers accepted and handed to the bandwidth estimator.",
          c.transportCcFeedback);
  counter("medrtc_media_transport_cc_ignored_total",
          "Transport-cc feedback from subscribers ignored as absurd (status count, deltas, reference jumps).",
          c.transportCcIgnored);
  counter("medrtc_media_rtcp_tails_dropped_total",
          "Compound RTCP packets whose rest, from a malformed packet on, was dropped; the packets before it were used.",
          c.rtcpTailsDropped);
  counter("medrtc_media_video_pauses_total",
          "Times a subscriber's video was paused because not even the lowest layer fit its downlink estimate.",
          c.videoPauses);
  counter("medrtc_media_dtls_after_release_total",
          "DTLS datagrams received after a transport released its DTLS state (late retransmissions, alerts, "
          "close_notify), dropped unread.",
          c.dtlsAfterRelease);
  auto histogram = [&](const char* name, const char* help, const metrics::Histogram& h) {
    metrics::Family f{name, help, MetricType::kHistogram, {}, {}};
    f.histograms.push_back({worker, h.snapshot()});
    metrics::merge(out, std::move(f));
  };
  histogram("medrtc_media_jitter_seconds", "Publishers' interarrival jitter, once per receiver report.",
            c.jitterSeconds);
  histogram("medrtc_media_round_trip_seconds", "Subscribers' round-trip time from their receiver reports.",
            c.roundTripSeconds);
  histogram("medrtc_media_quality_score", "Participants' call-quality score (E-model R, 0-100), once per 5 s report.",
            c.qualityScore);
  histogram("medrtc_media_forwarded_layer",
            "Simulcast layer forwarded to each subscriber of simulcast video (0 the lowest), once per 5 s report.",
            c.forwardedLayer);
}

}  // namespace medrtc::sfu
