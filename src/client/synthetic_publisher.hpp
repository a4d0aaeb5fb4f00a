#pragma once
// Paces synthetic media into a connected publisher PeerConnection the way a browser
// would (issue 6 load profile): one 20 ms Opus frame every 20 ms (50 packets/s) and VP8
// frames at `fps` whose sizes average `videoBitrateBps`, with a keyframe every
// `keyframeInterval` (and whenever the server asked for one). Timers are drift-free:
// frame k goes at start + k × interval, so a late loop turn does not lower the rate.
#include <chrono>
#include <cstdint>
#include <optional>

#include "client/peer_connection.hpp"
#include "net/event_loop.hpp"

namespace medrtc::client {

struct SyntheticPublisherConfig {
  bool audio = true;
  bool video = true;
  uint64_t videoBitrateBps = 1'500'000;
  int fps = 30;
  Micros keyframeInterval = std::chrono::seconds(3);
  // A keyframe is this many times a delta frame (real encoders: 3-10×). Delta frames are
  // sized so the average over a keyframe interval still meets videoBitrateBps.
  double keyframeSizeFactor = 4.0;
};

class SyntheticPublisher {
 public:
  // `pc` must outlive this object (or stop() first); both belong to `loop`.
  SyntheticPublisher(net::EventLoop& loop, PeerConnection& pc, SyntheticPublisherConfig config = {});
  ~SyntheticPublisher();
  SyntheticPublisher(const SyntheticPublisher&) = delete;
  SyntheticPublisher& operator=(const SyntheticPublisher&) = delete;

  // Starts pacing now. Frames are skipped (not queued) while the connection is not up.
  void start();
  void stop();
  bool running() const { return running_; }

  uint64_t audioFrames() const { return audioFrames_; }
  uint64_t videoFrames() const { return videoFrames_; }
  size_t deltaFrameBytes() const { return deltaFrameBytes_; }
  size_t keyframeBytes() const { return keyframeBytes_; }

 private:
  void audioTick();
  void videoTick();

  net::EventLoop& loop_;
  PeerConnection& pc_;
  SyntheticPublisherConfig config_;
  bool running_ = false;
  Micros start_{0};
  Micros videoInterval_{0};
  uint64_t audioFrames_ = 0;
  uint64_t videoFrames_ = 0;
  uint64_t framesPerKeyframe_ = 1;
  size_t deltaFrameBytes_ = 0;
  size_t keyframeBytes_ = 0;
  std::optional<net::EventLoop::TimerId> audioTimer_;
  std::optional<net::EventLoop::TimerId> videoTimer_;
};

}  // namespace medrtc::client
