#include "sfu/layer_selector.hpp"

#include <gtest/gtest.h>

#include <array>

namespace medrtc::sfu {
namespace {

constexpr uint8_t kTwentyPercent = 51;

std::array<LayerState, 3> allActiveSince(Micros since) {
  return {LayerState{true, since, 150'000}, LayerState{true, since, 500'000}, LayerState{true, since, 1'500'000}};
}

TEST(LossBasedLayerSelector, StartsOnTheHighestActiveLayerAtOnce) {
  LossBasedLayerSelector s;
  auto layers = allActiveSince(Micros(0));
  EXPECT_EQ(s.select(layers, std::nullopt, Micros(100'000)), std::optional<size_t>(2));
  layers[2].active = false;  // the publisher has not enabled its top layer yet
  EXPECT_EQ(s.select(layers, std::nullopt, Micros(100'000)), std::optional<size_t>(1));
  std::array<LayerState, 3> none{};
  EXPECT_FALSE(s.select(none, std::nullopt, Micros(100'000)));
}

TEST(LossBasedLayerSelector, LossAveragingTenPercentOverTwoSecondsSwitchesDown) {
  LossBasedLayerSelector s;
  auto layers = allActiveSince(Micros(0));
  s.onReceiverReport(kTwentyPercent, Micros(0));
  s.onReceiverReport(kTwentyPercent, Micros(1'000'000));
  EXPECT_EQ(s.select(layers, 2, Micros(1'000'000)), std::optional<size_t>(2));  // 1 s of loss
  s.onReceiverReport(kTwentyPercent, Micros(2'000'000));
  EXPECT_EQ(s.select(layers, 2, Micros(2'000'000)), std::optional<size_t>(1));
  // Still lossy on the middle layer: down again, after its own 2 s.
  s.onReceiverReport(kTwentyPercent, Micros(2'500'000));
  s.onReceiverReport(kTwentyPercent, Micros(3'500'000));
  EXPECT_EQ(s.select(layers, 1, Micros(3'500'000)), std::optional<size_t>(1));
  s.onReceiverReport(kTwentyPercent, Micros(4'500'000));
  EXPECT_EQ(s.select(layers, 1, Micros(4'500'000)), std::optional<size_t>(0));
  // The lowest layer is the floor.
  s.onReceiverReport(kTwentyPercent, Micros(5'000'000));
  s.onReceiverReport(kTwentyPercent, Micros(7'000'000));
  EXPECT_EQ(s.select(layers, 0, Micros(7'000'000)), std::optional<size_t>(0));
}

TEST(LossBasedLayerSelector, OneLossyReportAmongCleanOnesDoesNotSwitch) {
  LossBasedLayerSelector s;
  auto layers = allActiveSince(Micros(0));
  s.onReceiverReport(0, Micros(0));
  s.onReceiverReport(kTwentyPercent, Micros(500'000));
  s.onReceiverReport(0, Micros(1'000'000));
  s.onReceiverReport(0, Micros(1'500'000));
  s.onReceiverReport(0, Micros(2'000'000));  // mean ~4 %
  EXPECT_EQ(s.select(layers, 2, Micros(2'000'000)), std::optional<size_t>(2));
}

TEST(LossBasedLayerSelector, NoUpgradeForTenSecondsAfterADowngrade) {
  LossBasedLayerSelector s;
  auto layers = allActiveSince(Micros(0));
  s.onReceiverReport(kTwentyPercent, Micros(0));
  s.onReceiverReport(kTwentyPercent, Micros(2'000'000));
  ASSERT_EQ(s.select(layers, 2, Micros(2'000'000)), std::optional<size_t>(1));
  s.onReceiverReport(10, Micros(3'000'000));  // a little loss does not hold it back
  EXPECT_EQ(s.select(layers, 1, Micros(11'900'000)), std::optional<size_t>(1));
  EXPECT_EQ(s.select(layers, 1, Micros(12'000'000)), std::optional<size_t>(2));
}

TEST(LossBasedLayerSelector, NoUpgradeWithinTenSecondsOfALossyReport) {
  LossBasedLayerSelector s;
  auto layers = allActiveSince(Micros(0));
  s.onReceiverReport(kTwentyPercent, Micros(0));
  s.onReceiverReport(kTwentyPercent, Micros(2'000'000));
  ASSERT_EQ(s.select(layers, 2, Micros(2'000'000)), std::optional<size_t>(1));
  s.onReceiverReport(kTwentyPercent, Micros(5'000'000));  // one lossy report in a clean window
  s.onReceiverReport(0, Micros(6'000'000));
  s.onReceiverReport(0, Micros(7'000'000));
  EXPECT_EQ(s.select(layers, 1, Micros(13'000'000)), std::optional<size_t>(1));
  EXPECT_EQ(s.select(layers, 1, Micros(15'000'000)), std::optional<size_t>(2));
}

TEST(LossBasedLayerSelector, ALayerMustBeActiveTwoSecondsBeforeSwitchingUpToIt) {
  LossBasedLayerSelector s;
  auto layers = allActiveSince(Micros(0));
  layers[2].activeSince = Micros(10'000'000);  // the top layer just came back
  EXPECT_EQ(s.select(layers, 1, Micros(11'000'000)), std::optional<size_t>(1));
  EXPECT_EQ(s.select(layers, 1, Micros(12'000'000)), std::optional<size_t>(2));
}

TEST(LossBasedLayerSelector, AStoppedLayerIsLeftForTheNextActiveOne) {
  LossBasedLayerSelector s;
  auto layers = allActiveSince(Micros(0));
  layers[2].active = false;
  EXPECT_EQ(s.select(layers, 2, Micros(5'000'000)), std::optional<size_t>(1));
}

TEST(LossBasedLayerSelector, LayersThatComeBackTogetherKeepTheSendingOne) {
  LossBasedLayerSelector s;
  // The publisher's link was cut: everything restarts; q and h are back first.
  auto layers = allActiveSince(Micros(9'900'000));
  layers[2].active = false;
  EXPECT_EQ(s.select(layers, 2, Micros(10'000'000)), std::optional<size_t>(2));
  std::array<LayerState, 3> none{};
  EXPECT_EQ(s.select(none, 2, Micros(10'000'000)), std::nullopt);
}

TEST(LossBasedLayerSelector, AnEstimateBelowTheLayersBitrateSwitchesDown) {
  LossBasedLayerSelector s;
  auto layers = allActiveSince(Micros(0));
  s.onEstimate(800'000, Micros(1'000'000));
  EXPECT_EQ(s.select(layers, 2, Micros(1'000'000)), std::optional<size_t>(1));
  EXPECT_EQ(s.select(layers, 1, Micros(2'000'000)), std::optional<size_t>(1));
}

}  // namespace
}  // namespace medrtc::sfu
