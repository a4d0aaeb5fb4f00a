#pragma once
// TransportCcFeedbackGenerator: the receive side of transport-wide congestion control.
// Records (transport-wide sequence number, arrival time) for each packet from one sender
// and turns them into feedback packets (draft-holmer-rmcat-transport-wide-cc-extensions-01
// §3.1), like libwebrtc's RemoteEstimatorProxy in periodic mode. The caller drains it on a
// timer (typically every 50-100 ms).
//
// Sequence numbers are unwrapped to 64 bits so wraparound is invisible; arrivals are kept
// in a fixed ring indexed by the unwrapped number, so recording is O(1) with no allocation.
// Reordered packets are fine until their number has been reported; duplicates keep the
// first arrival time.
#include <array>
#include <cstddef>
#include <cstdint>
#include <limits>

#include "common/bytes.hpp"
#include "rtp/sequence_number.hpp"
#include "rtp/transport_cc.hpp"

namespace medrtc::rtp {

class TransportCcFeedbackGenerator {
 public:
  // Packets more than this far behind the newest are forgotten unreported. Feedback goes
  // out every 50 ms, so 1,024 packets (≈ 4 s of 2.5 Mbit/s video plus audio) is ample;
  // the ring is 8 bytes a packet in every participant (issue 14 item 3).
  static constexpr size_t kWindow = 1024;

  explicit TransportCcFeedbackGenerator(size_t maxPacketSize = TransportCcFeedbackWriter::kDefaultMaxSize);

  void onPacket(uint16_t transportSequenceNumber, int64_t arrivalUs);

  // True while some received packet has not been reported yet.
  bool hasPending() const { return started_ && start_ < end_; }
  // Writes the next feedback packet into `out` and marks what it covers as reported. Call
  // until it returns 0 to drain: one packet per call, split when deltas do not fit 16 bits
  // or the packet reaches the size limit. Returns 0 when nothing is pending or `out` is too
  // small for the packet.
  size_t buildFeedback(MutableByteView out, uint32_t senderSsrc, uint32_t mediaSsrc);

  uint8_t feedbackPacketCount() const { return feedbackPacketCount_; }

 private:
  static constexpr int64_t kNotReceived = std::numeric_limits<int64_t>::min();
  int64_t& slot(int64_t seq) { return arrivals_[static_cast<size_t>(seq) & (kWindow - 1)]; }
  void clear(int64_t from, int64_t to);  // [from, to)

  SequenceNumberUnwrapper unwrapper_;
  bool started_ = false;
  int64_t start_ = 0;        // first unreported sequence number
  int64_t end_ = 0;          // one past the newest received
  int64_t reportedEnd_ = std::numeric_limits<int64_t>::min();  // everything below was reported
  uint8_t feedbackPacketCount_ = 0;
  TransportCcFeedbackWriter writer_;
  std::array<int64_t, kWindow> arrivals_;
};

}  // namespace medrtc::rtp
