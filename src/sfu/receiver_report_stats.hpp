#pragma once
// What a subscriber's RTCP receiver reports (RFC 3550 §6.4.2) say about the media the SFU
// sends it, gathered between two quality reports: the worst fraction lost and jitter of
// any of its streams, and the round-trip time from LSR/DLSR (§6.4.1).
#include <cstdint>
#include <optional>

#include "rtp/rtcp_reports.hpp"

namespace medrtc::sfu {

class ReceiverReportStats {
 public:
  // One report block about a stream of ours with clock rate `clockRate`; `arrivalNtpMid`
  // is the middle 32 bits of the NTP time the block arrived at, on the same clock as the
  // SRs we sent on that stream (nullopt: no SR sent yet, so no RTT).
  void onReportBlock(const rtp::ReportBlock& block, uint32_t clockRate, std::optional<uint32_t> arrivalNtpMid);

  struct Window {
    bool any = false;  // at least one report block arrived
    double lossPercent = 0;
    double jitterMs = 0;
    std::optional<double> rttMs;  // the latest
  };
  // The figures since the last take; starts a new window. The RTT carries over: a
  // subscriber's reports carry an LSR only after our SR reached it.
  Window take();

 private:
  Window window_;
  std::optional<double> lastRttMs_;
};

// RFC 3550 §6.4.1: RTT = A − LSR − DLSR, in 1/65536 s; nullopt when negative (a report
// about an SR we did not send, or clocks that jumped).
std::optional<double> roundTripMs(uint32_t arrivalNtpMid, uint32_t lastSr, uint32_t delaySinceLastSr);

}  // namespace medrtc::sfu
