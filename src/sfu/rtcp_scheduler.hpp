#pragma once
// The RTCP a participant's transports send on their own (RTCP terminates per hop in an
// SFU): transport-wide CC feedback toward the publisher (so its browser's bandwidth
// estimate ramps up to HD), receiver reports for its producers, NACKs and keyframe requests, and
// sender reports for its consumers so subscribers can lip-sync.
#include <memory>
#include <vector>

#include "common/clock.hpp"
#include "rtp/transport_cc_generator.hpp"

namespace medrtc::sfu {

class Consumer;
class Producer;
class WebRtcTransport;

class RtcpScheduler {
 public:
  RtcpScheduler();

  void onTransportSequenceNumber(uint16_t sequenceNumber, Micros arrival);
  void onTick(Micros now, WebRtcTransport& publisher, WebRtcTransport& subscriber,
              const std::vector<Producer*>& producers, const std::vector<std::unique_ptr<Consumer>>& consumers);

 private:
  void sendTransportFeedback(WebRtcTransport& publisher, const std::vector<Producer*>& producers);
  // RFC 4585 §6.2.1 NACKs for what each video stream's NackGenerator finds missing.
  void sendNacks(Micros now, WebRtcTransport& publisher, const std::vector<Producer*>& producers);
  void sendKeyframeRequests(Micros now, WebRtcTransport& publisher, const std::vector<Producer*>& producers);
  void sendReceiverReports(Micros now, WebRtcTransport& publisher, const std::vector<Producer*>& producers);
  void sendSenderReports(Micros now, WebRtcTransport& subscriber, const std::vector<std::unique_ptr<Consumer>>& consumers);

  // Our own SSRC as the sender of feedback (RFC 4585 §6.1 "packet sender").
  uint32_t feedbackSsrc_;
  rtp::TransportCcFeedbackGenerator transportCc_;
  Micros lastTransportFeedback_{0};
  Micros lastReports_{0};
  std::vector<uint16_t> lost_;  // reused by sendNacks
};

}  // namespace medrtc::sfu
