#include "sfu/active_speaker.hpp"

#include <gtest/gtest.h>

namespace medrtc::sfu {
namespace {

constexpr Micros kInterval{300'000};

// Feeds one interval of 50 packets per second (15 per 300 ms) at the given levels
// (-dBov; 127 is silence) and evaluates at its end.
struct Call {
  ActiveSpeakerDetector detector;
  Micros now{0};
  std::optional<std::string> interval(std::initializer_list<std::pair<const char*, uint8_t>> levels) {
    for (int i = 0; i < 15; ++i) {
      for (auto [id, level] : levels) {
        detector.observe(id, level);
      }
    }
    now += kInterval;
    return detector.evaluate(now);
  }
};

TEST(ActiveSpeaker, TheFirstVoiceTakesTheFloorAtOnce) {
  Call call;
  EXPECT_EQ(call.interval({{"a", 127}, {"b", 127}}), std::nullopt);  // all silent: nobody
  EXPECT_EQ(call.detector.current(), "");
  EXPECT_EQ(call.interval({{"a", 30}, {"b", 127}}), std::optional<std::string>("a"));
  EXPECT_EQ(call.detector.current(), "a");
}

TEST(ActiveSpeaker, ASilentRoomKeepsTheLastSpeaker) {
  Call call;
  call.interval({{"a", 30}, {"b", 127}});
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(call.interval({{"a", 127}, {"b", 127}}), std::nullopt);
  }
  EXPECT_EQ(call.detector.current(), "a");
}

TEST(ActiveSpeaker, AShortBurstFromAnotherParticipantDoesNotSwitch) {
  Call call;
  for (int i = 0; i < 6; ++i) {  // a speaks softly for 1.8 s: past the hold
    call.interval({{"a", 60}, {"b", 127}});
  }
  // b coughs for one interval, far louder than a.
  EXPECT_EQ(call.interval({{"a", 60}, {"b", 0}}), std::nullopt);
  EXPECT_EQ(call.interval({{"a", 60}, {"b", 127}}), std::nullopt);
  EXPECT_EQ(call.interval({{"a", 60}, {"b", 127}}), std::nullopt);
  EXPECT_EQ(call.detector.current(), "a");
}

TEST(ActiveSpeaker, TwoEquallyLoudSpeakersDoNotFlap) {
  Call call;
  call.interval({{"a", 30}, {"b", 127}});
  int changes = 0;
  for (int i = 0; i < 50; ++i) {
    // Alternating a little louder: never the switch margin apart.
    bool aLouder = i % 2 == 0;
    if (call.interval({{"a", static_cast<uint8_t>(aLouder ? 30 : 33)}, {"b", static_cast<uint8_t>(aLouder ? 33 : 30)}})) {
      ++changes;
    }
  }
  EXPECT_EQ(changes, 0);
  EXPECT_EQ(call.detector.current(), "a");
}

TEST(ActiveSpeaker, ASustainedLouderSpeakerTakesOverAfterTheHold) {
  Call call;
  call.interval({{"a", 40}, {"b", 127}});  // a at t=0.3 s
  std::optional<std::string> changed;
  int intervals = 0;
  while (!changed && intervals < 20) {
    changed = call.interval({{"a", 127}, {"b", 30}});
    ++intervals;
  }
  ASSERT_EQ(changed, std::optional<std::string>("b"));
  // Not at the first louder interval (hysteresis), but within ~1.5 s of b starting.
  EXPECT_GE(intervals, 2);
  EXPECT_LE(intervals, 5);
  EXPECT_GE(call.now, Micros{300'000} + Micros{1'000'000});  // a held the floor ≥ minHold
}

TEST(ActiveSpeaker, TheSpeakerLeavingFreesTheFloor) {
  Call call;
  call.interval({{"a", 30}, {"b", 60}});
  ASSERT_EQ(call.detector.current(), "a");
  call.detector.remove("a");
  EXPECT_EQ(call.detector.current(), "");
  EXPECT_EQ(call.interval({{"b", 60}}), std::optional<std::string>("b"));
}

TEST(ActiveSpeaker, KeepsEachPublishersExtensionId) {
  ActiveSpeakerDetector detector;
  detector.setExtensionId("a", 1);
  detector.setExtensionId("b", 14);
  EXPECT_EQ(detector.extensionId("a"), 1);
  EXPECT_EQ(detector.extensionId("b"), 14);
  EXPECT_EQ(detector.extensionId("c"), 0);
}

}  // namespace
}  // namespace medrtc::sfu
