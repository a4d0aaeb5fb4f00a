#include "sfu/layer_selector.hpp"

#include <algorithm>

namespace medrtc::sfu {

void LossBasedLayerSelector::onReceiverReport(uint8_t fractionLost, Micros now) {
  if (fractionLost >= kHighLoss) {
    lastHighLoss_ = now;
  }
  if (!windowStart_) {
    windowStart_ = now;
  }
  windowLossSum_ += fractionLost;
  ++windowReports_;
  if (now - *windowStart_ < kSustainedLoss) {
    return;
  }
  if (windowLossSum_ / windowReports_ >= kHighLoss) {
    downgradeWanted_ = true;
  }
  // A new window either way: after a downgrade, the new layer needs its own evidence.
  windowStart_.reset();
  windowLossSum_ = 0;
  windowReports_ = 0;
}

void LossBasedLayerSelector::onEstimate(uint64_t bitsPerSecond, Micros) { estimate_ = bitsPerSecond; }

std::optional<size_t> LossBasedLayerSelector::select(std::span<const LayerState> layers, std::optional<size_t> current,
                                                     Micros now) {
  std::optional<size_t> highestActive;
  for (size_t i = 0; i < layers.size(); ++i) {
    if (layers[i].active) {
      highestActive = i;
    }
  }
  if (!highestActive) {
    return std::nullopt;
  }
  if (!current) {
    // Nothing sent yet: the best layer there is, without waiting (no visible ramp).
    size_t start = ceiling_ ? std::min(*ceiling_, *highestActive) : *highestActive;
    while (start > 0 && !layers[start].active) {
      --start;
    }
    return start;
  }
  size_t sending = *current;
  bool overEstimate = estimate_ && layers[sending].bitrate > *estimate_ && sending > 0;
  if ((downgradeWanted_ || overEstimate) && sending > 0) {
    downgradeWanted_ = false;
    ceiling_ = sending - 1;
    lastDowngrade_ = now;
  } else if (ceiling_ && *ceiling_ < layers.size() - 1 &&
             (!lastDowngrade_ || now - *lastDowngrade_ >= kUpgradeHoldOff) &&
             (!lastHighLoss_ || now - *lastHighLoss_ >= kUpgradeHoldOff)) {
    size_t up = *ceiling_ + 1;
    bool fits = !estimate_ || layers[up].bitrate == 0 || layers[up].bitrate <= *estimate_;
    if (layers[up].active && now - layers[up].activeSince >= kActiveBeforeUpgrade && fits) {
      ceiling_ = up;
      // Probing upward: if this layer is too much, two lossy reports bring it back down,
      // and the hold-off starts again.
      lastDowngrade_ = now;
    }
  }
  downgradeWanted_ = false;
  size_t limit = ceiling_ ? std::min(*ceiling_, layers.size() - 1) : layers.size() - 1;
  // A sending layer that stopped alone (the publisher's encoder paused it) is left for a
  // layer that kept running; one that stopped with all the others (the publisher's link
  // dropped and is back) is waited for: the others restarting a moment earlier must not
  // send every subscriber down a layer, then back up only after the 2 s rule.
  bool sendingStopped = !layers[sending].active;
  // The highest active layer within the limit that is not a fresh upgrade target.
  for (size_t i = limit + 1; i-- > 0;) {
    if (!layers[i].active) {
      continue;
    }
    if (i > sending && now - layers[i].activeSince < kActiveBeforeUpgrade) {
      continue;
    }
    if (sendingStopped && now - layers[i].activeSince < kKeptRunning) {
      continue;
    }
    return i;
  }
  if (sendingStopped) {
    return sending;
  }
  // Nothing active within the limit: the lowest active layer above it, rather than none.
  for (size_t i = limit + 1; i < layers.size(); ++i) {
    if (layers[i].active) {
      return i;
    }
  }
  return highestActive;
}

}  // namespace medrtc::sfu
