#include "client/synthetic_publisher.hpp"

#include <algorithm>

namespace medrtc::client {

namespace {
constexpr Micros kAudioFrame = std::chrono::milliseconds(20);
}  // namespace

SyntheticPublisher::SyntheticPublisher(net::EventLoop& loop, PeerConnection& pc, SyntheticPublisherConfig config)
    : loop_(loop), pc_(pc), config_(config) {
  config_.fps = std::max(config_.fps, 1);
  videoInterval_ = Micros(1'000'000 / config_.fps);
  framesPerKeyframe_ = std::max<uint64_t>(1, static_cast<uint64_t>(config_.keyframeInterval / videoInterval_));
  // bytes per interval = (framesPerKeyframe - 1) × delta + factor × delta.
  const double bytesPerInterval = static_cast<double>(config_.videoBitrateBps) / 8.0 *
                                  static_cast<double>(framesPerKeyframe_) / config_.fps;
  const double factor = std::max(config_.keyframeSizeFactor, 1.0);
  deltaFrameBytes_ = static_cast<size_t>(bytesPerInterval / (static_cast<double>(framesPerKeyframe_ - 1) + factor));
  keyframeBytes_ = static_cast<size_t>(static_cast<double>(deltaFrameBytes_) * factor);
}

SyntheticPublisher::~SyntheticPublisher() { stop(); }

void SyntheticPublisher::start() {
  if (running_) {
    return;
  }
  running_ = true;
  start_ = loop_.now();
  audioFrames_ = 0;
  videoFrames_ = 0;
  if (config_.audio) {
    audioTick();
  }
  if (config_.video) {
    videoTick();
  }
}

void SyntheticPublisher::stop() {
  running_ = false;
  if (audioTimer_) {
    loop_.cancelTimer(*audioTimer_);
    audioTimer_.reset();
  }
  if (videoTimer_) {
    loop_.cancelTimer(*videoTimer_);
    videoTimer_.reset();
  }
}

void SyntheticPublisher::audioTick() {
  audioTimer_.reset();
  const Micros now = loop_.now();
  pc_.sendAudioFrame(now);
  ++audioFrames_;
  const Micros next = start_ + kAudioFrame * static_cast<int64_t>(audioFrames_);
  audioTimer_ = loop_.runAfter(std::max(next - now, Micros(0)), [this] { audioTick(); });
}

void SyntheticPublisher::videoTick() {
  videoTimer_.reset();
  const Micros now = loop_.now();
  const bool keyframe = videoFrames_ % framesPerKeyframe_ == 0;
  pc_.sendVideoFrame(now, keyframe, keyframe ? keyframeBytes_ : deltaFrameBytes_);
  ++videoFrames_;
  const Micros next = start_ + videoInterval_ * static_cast<int64_t>(videoFrames_);
  videoTimer_ = loop_.runAfter(std::max(next - now, Micros(0)), [this] { videoTick(); });
}

}  // namespace medrtc::client
