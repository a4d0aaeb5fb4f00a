#pragma once
// One media worker's figures for /metrics (docs/operations.md): written only by the
// worker's own thread on the packet path, read by the control thread when it is scraped.
// Plain per-thread counters (metrics::OwnedCounter) keep locked instructions and locks off
// the media path; the histograms are fed once per RTCP report, not per packet.
#include <vector>

#include "common/metrics.hpp"

namespace medrtc::sfu {

struct MediaCounters {
  MediaCounters();

  // SRTP and SRTCP datagrams on connected transports (STUN and DTLS not counted).
  metrics::OwnedCounter packetsReceived;
  metrics::OwnedCounter bytesReceived;
  metrics::OwnedCounter packetsSent;
  metrics::OwnedCounter bytesSent;
  metrics::OwnedCounter nacksReceived;     // sequence numbers subscribers asked for again
  metrics::OwnedCounter retransmissionsSent;  // of those, answered from the packet cache
  metrics::OwnedCounter plisReceived;      // from subscribers
  metrics::OwnedCounter plisSent;          // to publishers
  metrics::OwnedCounter packetsLost;       // publishers' packets that never arrived (RFC 3550 A.3)
  metrics::OwnedCounter nacksSent;         // sequence numbers we asked publishers for again
  metrics::OwnedCounter gapsRepaired;      // of those, packets that arrived afterwards (RTX or late)
  // Publishers' RTP packets dropped as bad input (sfu/producer.hpp), by reason: an SSRC
  // bound to no stream (changed mid-stream, RTX for a stream never announced, none of our
  // MIDs), a RID the offer did not announce, a payload type that was not negotiated.
  metrics::OwnedCounter droppedUnknownSsrc;
  metrics::OwnedCounter droppedUnknownRid;
  metrics::OwnedCounter droppedUnknownPayloadType;
  // Connectivity probes (sfu/connectivity_probe.hpp): kept apart from participants.
  metrics::OwnedCounter probesOpened;
  metrics::OwnedCounter probesConnected;   // ICE and DTLS completed
  metrics::OwnedCounter probesClosed;
  metrics::Histogram jitterSeconds;        // publishers' interarrival jitter per report (RFC 3550 A.8)
  metrics::Histogram roundTripSeconds;     // subscribers' RTT from their receiver reports (§6.4.1)
  // Call quality (sfu/room_quality.hpp): per node and worker, never per participant.
  metrics::OwnedCounter videoFreezes;      // W3C freezes on video forwarded to subscribers
  // Downstream bandwidth estimation (sfu/downlink_bandwidth.hpp).
  metrics::OwnedCounter transportCcFeedback;  // feedback accepted and handed to the estimator
  metrics::OwnedCounter transportCcIgnored;  // feedback (or packets in it) that made no sense
  // Compound RTCP from either connection whose rest after a malformed packet was dropped
  // (rtp::RtcpCompoundView::salvage); the packets before it were used.
  metrics::OwnedCounter rtcpTailsDropped;
  metrics::OwnedCounter videoPauses;         // a subscriber's video paused: not even the lowest layer fit
  // DTLS datagrams a call transport received after it released its DTLS state
  // (WebRtcTransport::releaseDtls): late retransmissions, alerts, close_notify; dropped.
  metrics::OwnedCounter dtlsAfterRelease;
  metrics::Histogram qualityScore;         // each participant's E-model score, once per 5 s report
  // The simulcast layer forwarded to each subscriber of simulcast video (the lowest over its
  // videos), once per 5 s report: how many get the top layer, how many were moved down.
  metrics::Histogram forwardedLayer;
};

// The counters of the calling thread's worker; a thread that is no worker (unit tests
// driving a Room directly) gets a shared spare that nothing scrapes.
MediaCounters& mediaCounters();
// Called once on a worker's thread before its loop runs.
void bindMediaCounters(MediaCounters* counters);

// Appends the families of one worker, labelled worker="<index>".
void collectMediaCounters(const MediaCounters& counters, int workerIndex, std::vector<metrics::Family>& out);

}  // namespace medrtc::sfu
