// libFuzzer target for the downstream estimator's input: any RTCP a subscriber sends is
// walked, and every transport-cc feedback in it goes through bwe::FeedbackAdapter and the
// whole SendSideEstimator against a history of packets we "sent". Absurd deltas, huge
// packet status counts, unknown numbers and reference-time jumps must be ignored and
// counted, never crash, and never move the estimate outside [floor, ceiling].
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "bwe/send_side_estimator.hpp"
#include "rtp/rtcp_packet.hpp"
#include "rtp/transport_cc.hpp"

using namespace medrtc;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  bwe::SendHistory history;
  // The first byte picks how many packets were sent (some inputs name numbers never sent).
  const size_t sent = size > 0 ? size_t{data[0]} * 16 : 0;
  for (size_t i = 0; i < sent; ++i) {
    history.add(static_cast<int64_t>(1'000'000 + i * 2'000), 1200, i % 7 == 0 ? 1 : -1);
  }
  bwe::SendSideEstimator estimator;
  estimator.setWantedBps(2'000'000);
  if (auto probe = estimator.maybeStartProbe(1'000'000)) {
    estimator.onProbeSent(probe->id, static_cast<int64_t>(history.packetsSent()));
  }
  auto compound = rtp::RtcpCompoundView::parse(ByteView(data, size));
  if (!compound.ok()) {
    return 0;
  }
  int64_t now = 2'000'000;
  for (const rtp::RtcpPacketView packet : *compound) {
    auto feedback = rtp::TransportCcFeedbackView::parse(packet);
    if (!feedback.ok()) {
      continue;
    }
    // Each feedback twice: the second time as a repeat arriving later.
    for (int repeat = 0; repeat < 2; ++repeat) {
      now += 50'000;
      estimator.onFeedback(*feedback, history, now);
      if (estimator.estimateBps() < 30'000 || estimator.estimateBps() > estimator.maxBps()) {
        std::abort();
      }
      (void)estimator.maybeStartProbe(now);
    }
  }
  return 0;
}
