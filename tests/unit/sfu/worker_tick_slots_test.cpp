// WorkerTickSlots: participants dealt evenly over the slots, every slot once per period,
// and no drift from a timer that fires late.
#include "sfu/worker_tick_slots.hpp"

#include <gtest/gtest.h>

#include <array>

namespace medrtc::sfu {
namespace {

using namespace std::chrono_literals;

TEST(WorkerTickSlots, DealsParticipantsRoundRobin) {
  WorkerTickSlots slots(20ms, 10);
  std::array<int, 10> perSlot{};
  for (int i = 0; i < 80; ++i) {
    ++perSlot[slots.assign()];
  }
  for (int n : perSlot) {
    EXPECT_EQ(n, 8);
  }
}

TEST(WorkerTickSlots, EverySlotOncePerPeriod) {
  WorkerTickSlots slots(20ms, 10);
  Micros now{1'000'000};
  Micros delay = slots.start(now);
  EXPECT_EQ(delay, 2ms);
  std::array<int, 10> fired{};
  for (int i = 0; i < 10; ++i) {
    now += delay;
    ++fired[slots.fire(now, delay)];
  }
  for (int n : fired) {
    EXPECT_EQ(n, 1);
  }
}

TEST(WorkerTickSlots, LateTimerDoesNotStretchThePeriod) {
  WorkerTickSlots slots(20ms, 10);
  const Micros start{0};
  Micros delay = slots.start(start);
  Micros now = start;
  for (int i = 0; i < 100; ++i) {
    now += delay + 700us;  // a millisecond-resolution timer fires up to ~1 ms late
    slots.fire(now, delay);
  }
  // 100 slots are 200 ms: the late firings did not add up (they would have added 70 ms).
  EXPECT_LE(now - start, 201ms);
}

TEST(WorkerTickSlots, FallingBehindSkipsInsteadOfBursting) {
  WorkerTickSlots slots(20ms, 10);
  Micros delay = slots.start(Micros{0});
  slots.fire(Micros{500'000}, delay);  // half a second late
  EXPECT_EQ(delay, 2ms);
}

TEST(WorkerTickSlots, ZeroSlotsMeansOne) {
  WorkerTickSlots slots(20ms, 0);
  EXPECT_EQ(slots.slots(), 1u);
  EXPECT_EQ(slots.assign(), 0u);
  EXPECT_EQ(slots.slotInterval(), 20ms);
}

}  // namespace
}  // namespace medrtc::sfu
