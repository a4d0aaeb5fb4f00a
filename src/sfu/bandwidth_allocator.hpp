#pragma once
// Shares one subscriber's downlink estimate (bwe::SendSideEstimator) among the tracks it
// receives (mediasoup's Transport::DistributeAvailableOutgoingBitrate, LiveKit's
// StreamAllocator, in small):
//   1. audio first: every audio track's bitrate is set aside (audio is never dropped);
//   2. video in rounds: each video track gets its lowest active layer if it fits, then
//      each in turn one layer up while the next layer's extra bitrate fits; a track whose
//      lowest layer does not fit is paused (audio continues), and resumes by the same rule
//      when the estimate allows it again.
// Hysteresis (the numbers, docs/bandwidth-estimation.md):
//   - no upgrade of a track for kUpgradeHoldOff after its last downgrade (a capped link
//     otherwise flaps between two layers every few seconds, with a keyframe each time);
//   - only layers active for kActiveBeforeUpgrade count for an upgrade (a layer the
//     publisher just re-enabled may stop again);
//   - re-allocation when the estimate moved ≥ 15 % since the last one, every 5 s, or when
//     the set of tracks changed; downgrades take effect at once.
// The result caps each track (the highest layer allowed); the loss-based LayerSelector
// still chooses within the cap, so loss the estimate has not seen yet still steps down.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

#include "common/clock.hpp"
#include "sfu/layer_selector.hpp"

namespace medrtc::sfu {

class BandwidthAllocator {
 public:
  static constexpr Micros kUpgradeHoldOff{10'000'000};
  static constexpr Micros kActiveBeforeUpgrade{2'000'000};
  static constexpr Micros kReallocateEvery{5'000'000};
  static constexpr uint64_t kMinChangePercent = 15;
  // Video pauses only when the lowest layer has not fit for this long: one spurious dip of
  // the estimate (a burst of delay on a busy receiver) must not blank the picture.
  static constexpr Micros kPauseAfter{2'000'000};
  // A paused track may resume on its lowest layer this soon after the pause, not only after
  // kUpgradeHoldOff: a paused picture costs the user far more than one extra keyframe, and
  // while paused the estimate grows only by probes that proved the rate (ProbeController),
  // so a resume is not a guess. Layers above the lowest keep the full hold-off.
  // A track paused again within kUpgradeHoldOff of its last resume waits the full
  // kUpgradeHoldOff: an estimate hovering at the lowest layer's edge would otherwise pause
  // and resume it every few seconds, a keyframe each time.
  static constexpr Micros kResumeHoldOff{2'000'000};
  // A layer whose bitrate is not measured yet counts as this (the web client's caps for
  // three layers, lowest first; docs/architecture.md "Simulcast").
  static constexpr uint64_t kDefaultLayerBps[3] = {150'000, 500'000, 1'700'000};
  static constexpr uint64_t kDefaultAudioBps = 48'000;

  struct Track {
    const void* key = nullptr;  // stable identity (the consumer)
    bool audio = false;
    uint64_t audioBps = 0;              // audio: measured, 0 when unknown
    std::span<const LayerState> layers;  // video: lowest first
  };
  struct Allocation {
    const void* key = nullptr;
    std::optional<size_t> maxLayer;  // video: the highest layer allowed
    bool paused = false;  // video: a layer is active but even the lowest does not fit
  };

  // True when allocate() should run now: the estimate moved, the timer ran out, or the
  // tracks' shape changed (`shape`: any number that changes when tracks come and go or
  // layers start and stop, see shapeOf).
  bool due(uint64_t estimateBps, uint64_t shape, Micros now) const;
  // Changes when tracks come and go, layers start and stop, or a layer has run long
  // enough to be upgraded to.
  static uint64_t shapeOf(std::span<const Track> tracks, Micros now);
  std::vector<Allocation> allocate(uint64_t estimateBps, std::span<const Track> tracks, Micros now);
  // What the tracks would use with every video at its best active layer: the rate worth
  // probing for.
  static uint64_t wantedBps(std::span<const Track> tracks);

 private:
  static uint64_t layerBps(std::span<const LayerState> layers, size_t i);
  struct TrackState {
    std::optional<size_t> allocated;  // last allocation (nullopt: paused or new)
    bool known = false;
    std::optional<Micros> lastDowngrade;
    std::optional<Micros> pauseWantedSince;  // the lowest layer stopped fitting
    std::optional<Micros> lastResume;
  };
  std::unordered_map<const void*, TrackState> states_;
  std::optional<uint64_t> lastEstimate_;
  Micros lastAllocation_{0};
  uint64_t lastShape_ = 0;
  bool pausePending_ = false;
  std::optional<Micros> holdOffEnds_;  // the earliest end of a track's upgrade hold-off
  // The hold-off that applies to a track from its last downgrade.
  static Micros holdOffOf(const TrackState& state);
};

}  // namespace medrtc::sfu
