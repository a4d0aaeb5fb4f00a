#pragma once
// Which simulcast layer a subscriber should get. One small interface so the downstream
// bandwidth estimator and allocator (issue 12 item 4) can replace the rule below without
// touching the forwarding path.
//
// LossBasedLayerSelector, the rule for now:
//   - Start: the highest layer that is active (a 1:1 call gets the top layer at once).
//   - Down one layer when the receiver reports of the last 2 s show ≥ 10 % loss on average
//     (sustained loss, not one burst: Chromium sends several reports a second, and a busy
//     machine loses a packet now and then), or when a downlink estimate is below the
//     current layer's bitrate (none is fed yet: docs/architecture.md "Simulcast").
//   - Up one layer only after 10 s without a downgrade and without a report of ≥ 10 %
//     loss, and only to a layer that has been active for 2 s (a layer the publisher just
//     re-enabled may stop again). These are the hysteresis numbers.
//   - A layer that stops alone (the publisher's encoder paused it) is left for one that
//     kept running; when all stop and come back (a link cut), the same layer is kept.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>

#include "common/clock.hpp"

namespace medrtc::sfu {

struct LayerState {
  bool active = false;
  Micros activeSince{0};
  uint64_t bitrate = 0;  // bits per second, 0 when unknown
};

class LayerSelector {
 public:
  virtual ~LayerSelector() = default;
  // RFC 3550 §6.4.1 fraction lost (0..255) from a receiver report about our stream.
  virtual void onReceiverReport(uint8_t fractionLost, Micros now) = 0;
  // A receiver estimate of the subscriber's downlink (REMB), in bits per second.
  virtual void onEstimate(uint64_t bitsPerSecond, Micros now) = 0;
  // The layer to send, given the layers' state (lowest first) and the layer being sent
  // (nullopt before the start); nullopt when no layer is active.
  virtual std::optional<size_t> select(std::span<const LayerState> layers, std::optional<size_t> current,
                                       Micros now) = 0;
};

class LossBasedLayerSelector final : public LayerSelector {
 public:
  static constexpr uint8_t kHighLoss = 26;  // ≥ 10 % of 256
  static constexpr Micros kSustainedLoss{2'000'000};
  static constexpr Micros kUpgradeHoldOff{10'000'000};
  static constexpr Micros kActiveBeforeUpgrade{2'000'000};
  // A layer that stopped is left only for one that ran through its silence this long.
  static constexpr Micros kKeptRunning{1'000'000};

  void onReceiverReport(uint8_t fractionLost, Micros now) override;
  void onEstimate(uint64_t bitsPerSecond, Micros now) override;
  std::optional<size_t> select(std::span<const LayerState> layers, std::optional<size_t> current,
                               Micros now) override;

  // The highest layer allowed now (nullopt: no limit yet).
  std::optional<size_t> ceiling() const { return ceiling_; }

 private:
  std::optional<Micros> windowStart_;  // first report of the current 2 s window
  uint32_t windowLossSum_ = 0;
  uint32_t windowReports_ = 0;
  std::optional<Micros> lastHighLoss_;
  bool downgradeWanted_ = false;
  std::optional<uint64_t> estimate_;
  std::optional<size_t> ceiling_;
  std::optional<Micros> lastDowngrade_;
};

}  // namespace medrtc::sfu
