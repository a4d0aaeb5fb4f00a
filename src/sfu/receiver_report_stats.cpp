#include "sfu/receiver_report_stats.hpp"

#include <algorithm>

namespace medrtc::sfu {

std::optional<double> roundTripMs(uint32_t arrivalNtpMid, uint32_t lastSr, uint32_t delaySinceLastSr) {
  if (lastSr == 0) {
    return std::nullopt;  // §6.4.1: LSR 0 means no SR received yet
  }
  auto rtt = static_cast<int32_t>(arrivalNtpMid - lastSr - delaySinceLastSr);
  if (rtt < 0) {
    return std::nullopt;
  }
  return static_cast<double>(rtt) * 1000.0 / 65536.0;
}

void ReceiverReportStats::onReportBlock(const rtp::ReportBlock& block, uint32_t clockRate,
                                        std::optional<uint32_t> arrivalNtpMid) {
  window_.any = true;
  // fraction lost is lost/expected × 256 over the subscriber's own interval (§6.4.1).
  window_.lossPercent = std::max(window_.lossPercent, block.fractionLost * 100.0 / 256.0);
  if (clockRate != 0) {
    window_.jitterMs = std::max(window_.jitterMs, block.jitter * 1000.0 / clockRate);
  }
  if (arrivalNtpMid) {
    if (auto rtt = roundTripMs(*arrivalNtpMid, block.lastSr, block.delaySinceLastSr)) {
      lastRttMs_ = rtt;
    }
  }
}

ReceiverReportStats::Window ReceiverReportStats::take() {
  Window out = window_;
  out.rttMs = lastRttMs_;
  window_ = Window{};
  return out;
}

}  // namespace medrtc::sfu
