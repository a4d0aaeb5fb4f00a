// The media workers' figures for /metrics (sfu/media_counters.hpp) during a real call:
// packets and bytes both ways, NACKs answered, publishers' loss, RTT, per worker.
#include <gtest/gtest.h>

#include <optional>

#include "call_harness.hpp"
#include "common/bytes.hpp"
#include "rtp/demux.hpp"

namespace medrtc::sfu::test {
namespace {

using client::MediaKind;

// The value of `name` for worker="<worker>" in a collection; -1 when absent.
double workerSample(const std::vector<metrics::Family>& families, const std::string& name, int worker) {
  for (const auto& f : families) {
    if (f.name != name) {
      continue;
    }
    for (const auto& s : f.samples) {
      if (s.labels == metrics::Labels{{"worker", std::to_string(worker)}}) {
        return s.value;
      }
    }
    for (const auto& h : f.histograms) {
      if (h.labels == metrics::Labels{{"worker", std::to_string(worker)}}) {
        return static_cast<double>(h.histogram.count);
      }
    }
  }
  return -1;
}

std::vector<metrics::Family> collect(CallHarness& h) {
  std::vector<metrics::Family> out;
  h.plane().collectMetrics(out);
  return out;
}

TEST(MediaCounters, FollowACallPerWorker) {
  CallHarness h(2);
  auto idle = collect(h);
  for (int worker : {0, 1}) {
    EXPECT_EQ(workerSample(idle, "medrtc_media_packets_received_total", worker), 0) << worker;
    EXPECT_GE(workerSample(idle, "medrtc_worker_queue_depth", worker), 0);
  }
  EXPECT_EQ(workerSample(idle, "medrtc_media_packets_sent_total", 2), -1) << "two workers, two series";

  Endpoint& a = h.join("r", "a", JoinOptions{.publish = true, .subscribe = false, .relayPublisher = true});
  Endpoint& b = h.join("r", "b", JoinOptions{.publish = false, .subscribe = true, .relaySubscriber = true});
  ASSERT_TRUE(h.runUntil([&] { return a.pubConnected() && b.subConnected(); }));
  // A's uplink loses its 20th video-sized packet (the worker's receiver report counts it
  // lost); the link to B loses one too, which B then asks for again.
  int up = 0;
  bool upLost = false;
  std::pair<uint32_t, uint16_t> upLostPacket{};
  a.pubRelay->dropToServer = [&](ByteView d) {
    if (d.size() < 12 || d[0] < 128 || d[0] > 191 || rtp::isRtcp(d)) {
      return false;
    }
    if (upLost) {
      // The worker NACKs the gap: its resends are lost too, so the loss stays a loss.
      return std::pair{readU32(&d[8]), readU16(&d[2])} == upLostPacket;
    }
    if (d.size() < 400 || ++up < 20) {
      return false;
    }
    upLost = true;
    upLostPacket = std::pair{readU32(&d[8]), readU16(&d[2])};
    return true;
  };
  int down = 0;
  std::optional<std::pair<uint32_t, uint16_t>> downLost;
  b.relay->dropToClient = [&](ByteView d) {
    if (downLost || d.size() < 400 || d[0] < 128 || d[0] > 191 || rtp::isRtcp(d) || ++down < 30) {
      return false;
    }
    downLost = std::pair{readU32(&d[8]), readU16(&d[2])};
    return true;
  };
  MediaPump pump(h.loop(), a);
  pump.start();
  ASSERT_TRUE(h.runUntil([&] { return upLost && downLost && b.count(MediaKind::kVideo) >= 60; }));
  uint16_t seqs[] = {downLost->second};
  ASSERT_TRUE(b.sub->sendNack(downLost->first, seqs));

  // Room "r" went to one worker. Its receiver report carrying the loss leaves about once
  // a second; B's receiver reports answer the worker's sender reports (RTT).
  int worker = -1;
  ASSERT_TRUE(h.runUntil(
      [&] {
        auto now = collect(h);
        for (int w : {0, 1}) {
          if (workerSample(now, "medrtc_media_packets_lost_total", w) >= 1 &&
              workerSample(now, "medrtc_media_retransmissions_sent_total", w) >= 1 &&
              workerSample(now, "medrtc_media_round_trip_seconds", w) >= 1) {
            worker = w;
            return true;
          }
        }
        return false;
      },
      8s));
  auto during = collect(h);
  EXPECT_GT(workerSample(during, "medrtc_media_packets_received_total", worker), 60);
  EXPECT_GT(workerSample(during, "medrtc_media_packets_sent_total", worker), 60);
  EXPECT_GT(workerSample(during, "medrtc_media_received_bytes_total", worker),
            workerSample(during, "medrtc_media_packets_received_total", worker) * 12);
  EXPECT_GT(workerSample(during, "medrtc_media_sent_bytes_total", worker), 0);
  EXPECT_GE(workerSample(during, "medrtc_media_nacks_received_total", worker), 1);
  EXPECT_GE(workerSample(during, "medrtc_media_jitter_seconds", worker), 1) << "one jitter observation per report";
  EXPECT_GT(workerSample(during, "medrtc_worker_cpu_seconds_total", worker), 0);
  EXPECT_EQ(workerSample(during, "medrtc_worker_rooms", worker), 1);
  EXPECT_EQ(workerSample(during, "medrtc_worker_rooms", 1 - worker), 0);
  EXPECT_EQ(workerSample(during, "medrtc_media_packets_received_total", 1 - worker), 0) << "the other worker is idle";
}

}  // namespace
}  // namespace medrtc::sfu::test
