#include "sfu/bandwidth_allocator.hpp"

#include <algorithm>

namespace medrtc::sfu {

uint64_t BandwidthAllocator::layerBps(std::span<const LayerState> layers, size_t i) {
  if (layers[i].bitrate != 0) {
    return layers[i].bitrate;
  }
  // Unmeasured: the default for its position counted from the top (a single-layer track
  // is treated like the top layer).
  size_t fromTop = layers.size() - 1 - i;
  return fromTop < 3 ? kDefaultLayerBps[2 - fromTop] : kDefaultLayerBps[0];
}

uint64_t BandwidthAllocator::shapeOf(std::span<const Track> tracks, Micros now) {
  uint64_t shape = tracks.size();
  for (const Track& t : tracks) {
    for (const LayerState& l : t.layers) {
      shape = shape * 3 + (!l.active ? 0 : now - l.activeSince >= kActiveBeforeUpgrade ? 2 : 1);
    }
  }
  return shape;
}

bool BandwidthAllocator::due(uint64_t estimateBps, uint64_t shape, Micros now) const {
  if (!lastEstimate_ || shape != lastShape_ || pausePending_ || now - lastAllocation_ >= kReallocateEvery ||
      (holdOffEnds_ && now >= *holdOffEnds_)) {
    return true;
  }
  uint64_t before = *lastEstimate_;
  uint64_t change = estimateBps > before ? estimateBps - before : before - estimateBps;
  return change * 100 >= before * kMinChangePercent;
}

uint64_t BandwidthAllocator::wantedBps(std::span<const Track> tracks) {
  uint64_t total = 0;
  for (const Track& t : tracks) {
    if (t.audio) {
      total += t.audioBps != 0 ? t.audioBps : kDefaultAudioBps;
      continue;
    }
    for (size_t i = t.layers.size(); i-- > 0;) {
      if (t.layers[i].active) {
        total += layerBps(t.layers, i);
        break;
      }
    }
  }
  return total;
}

Micros BandwidthAllocator::holdOffOf(const TrackState& state) {
  bool paused = state.known && !state.allocated;
  bool pausedSoonAfterAResume =
      state.lastResume && state.lastDowngrade && *state.lastDowngrade - *state.lastResume < kUpgradeHoldOff;
  return paused && !pausedSoonAfterAResume ? kResumeHoldOff : kUpgradeHoldOff;
}

std::vector<BandwidthAllocator::Allocation> BandwidthAllocator::allocate(uint64_t estimateBps,
                                                                         std::span<const Track> tracks, Micros now) {
  lastEstimate_ = estimateBps;
  lastAllocation_ = now;
  lastShape_ = shapeOf(tracks, now);
  pausePending_ = false;

  int64_t budget = static_cast<int64_t>(estimateBps);
  for (const Track& t : tracks) {
    if (t.audio) {
      budget -= static_cast<int64_t>(t.audioBps != 0 ? t.audioBps : kDefaultAudioBps);
    }
  }
  std::vector<Allocation> out;
  out.reserve(tracks.size());
  for (const Track& t : tracks) {
    out.push_back(Allocation{t.key, std::nullopt});
  }
  // The layer a track may move to next from `from` (nullopt: paused), or nullopt.
  auto nextLayer = [&](const Track& t, std::optional<size_t> from) -> std::optional<size_t> {
    const TrackState& state = states_[t.key];
    // Resuming a paused track on its lowest layer may wait only kResumeHoldOff.
    Micros holdOff = !from ? holdOffOf(state) : kUpgradeHoldOff;
    bool held = state.lastDowngrade && now - *state.lastDowngrade < holdOff;
    for (size_t i = from ? *from + 1 : 0; i < t.layers.size(); ++i) {
      if (!t.layers[i].active) {
        continue;
      }
      // Beyond the last allocation is an upgrade: it needs the hold-off passed and a layer
      // that has run for a while. A new track gets the best that fits at once.
      bool upgrade = state.known && (!state.allocated || i > *state.allocated);
      if (upgrade && (held || now - t.layers[i].activeSince < kActiveBeforeUpgrade)) {
        return std::nullopt;
      }
      return i;
    }
    return std::nullopt;
  };
  bool progress = true;
  while (progress) {
    progress = false;
    for (size_t k = 0; k < tracks.size(); ++k) {
      const Track& t = tracks[k];
      if (t.audio || t.layers.empty()) {
        continue;
      }
      std::optional<size_t> from = out[k].maxLayer;
      std::optional<size_t> next = nextLayer(t, from);
      if (!next) {
        continue;
      }
      int64_t extra = static_cast<int64_t>(layerBps(t.layers, *next)) -
                      (from ? static_cast<int64_t>(layerBps(t.layers, *from)) : 0);
      if (extra <= budget) {
        budget -= extra;
        out[k].maxLayer = next;
        progress = true;
      }
    }
  }
  std::unordered_map<const void*, TrackState> kept;
  for (size_t k = 0; k < tracks.size(); ++k) {
    if (tracks[k].audio) {
      continue;
    }
    TrackState state = states_[tracks[k].key];
    bool anyActive = std::any_of(tracks[k].layers.begin(), tracks[k].layers.end(),
                                 [](const LayerState& l) { return l.active; });
    if (!anyActive) {
      // Nothing to send yet (or the publisher's link dropped): not a pause, and not a
      // downgrade; when the layers come back it is allocated afresh.
      kept[tracks[k].key] = state;
      continue;
    }
    if (!out[k].maxLayer) {
      // Not even the lowest layer fits. Pause only when that has lasted kPauseAfter;
      // until then keep the lowest active layer.
      if (!state.pauseWantedSince) {
        state.pauseWantedSince = now;
      }
      bool alreadyPaused = state.known && !state.allocated;
      if (!alreadyPaused && now - *state.pauseWantedSince < kPauseAfter) {
        for (size_t i = 0; i < tracks[k].layers.size(); ++i) {
          if (tracks[k].layers[i].active) {
            out[k].maxLayer = i;
            break;
          }
        }
        pausePending_ = true;
      }
    } else {
      state.pauseWantedSince.reset();
    }
    out[k].paused = !out[k].maxLayer;
    std::optional<size_t> now_ = out[k].maxLayer;
    bool down = state.known && (state.allocated && (!now_ || *now_ < *state.allocated));
    if (down) {
      state.lastDowngrade = now;
    }
    if (state.known && !state.allocated && now_) {
      state.lastResume = now;
    }
    state.allocated = now_;
    state.known = true;
    kept[tracks[k].key] = state;
  }
  states_ = std::move(kept);  // tracks that went away are forgotten
  // Re-allocate as soon as a hold-off ends, not at the next 5 s tick: a link that
  // recovered meanwhile gets its layer back without waiting longer than the rule says.
  holdOffEnds_.reset();
  for (const auto& [key, state] : states_) {
    if (!state.lastDowngrade) {
      continue;
    }
    Micros ends = *state.lastDowngrade + holdOffOf(state);
    if (ends > now && (!holdOffEnds_ || ends < *holdOffEnds_)) {
      holdOffEnds_ = ends;
    }
  }
  return out;
}

}  // namespace medrtc::sfu
