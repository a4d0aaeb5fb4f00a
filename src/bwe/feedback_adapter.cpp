#include "bwe/feedback_adapter.hpp"

namespace medrtc::bwe {

namespace {
// The reference time is 24 bits of 64 ms: the signed distance between two values.
int64_t referenceDelta(uint32_t now, uint32_t before) {
  int32_t d = static_cast<int32_t>((now - before) & 0xFFFFFF);
  if (d >= 0x800000) {
    d -= 0x1000000;
  }
  return d;
}
}  // namespace

bool FeedbackAdapter::adapt(const rtp::TransportCcFeedbackView& feedback, const SendHistory& history, int64_t nowUs,
                            TransportFeedback& out) {
  out.packets.clear();
  out.receivedUs = nowUs;
  out.timelineReset = false;
  if (feedback.packetStatusCount() > SendHistory::kWindow) {
    ++stats_.ignoredFeedbacks;
    return false;
  }
  uint32_t reference = feedback.referenceTime();
  if (!lastReference_) {
    out.timelineReset = true;
    referenceBaseUs_ = 0;
  } else {
    int64_t jumpUs = referenceDelta(reference, *lastReference_) * rtp::kTwccReferenceTimeUnitUs;
    if (jumpUs > kMaxReferenceJumpUs || jumpUs < -kMaxReferenceJumpUs) {
      ++stats_.timelineResets;
      out.timelineReset = true;
      referenceBaseUs_ = 0;
    } else {
      referenceBaseUs_ += jumpUs;
    }
  }
  lastReference_ = reference;
  // forEachPacket gives reference × 64 ms + deltas; move that onto our unwrapped timeline.
  const int64_t rawReferenceUs = int64_t{reference} * rtp::kTwccReferenceTimeUnitUs;
  feedback.forEachPacket([&](uint16_t seq, bool received, int64_t arrivalUs) {
    std::optional<SentPacket> sent = history.find(seq);
    if (!sent) {
      ++stats_.unknownPackets;
      return;
    }
    PacketResult r{*sent, std::nullopt};
    if (received) {
      int64_t offset = arrivalUs - rawReferenceUs;
      if (offset > kMaxArrivalSpreadUs || offset < -kMaxArrivalSpreadUs) {
        ++stats_.absurdArrivals;
        return;
      }
      r.arrivalUs = referenceBaseUs_ + offset;
    }
    out.packets.push_back(r);
  });
  ++stats_.feedbacks;
  return true;
}

}  // namespace medrtc::bwe
