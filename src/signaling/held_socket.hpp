#pragma once
// The socket of a participant whose WebSocket dropped and who may still resume (docs/
// protocol.md "Recovery", 30 s grace): what the hub sends it meanwhile is kept, in order,
// and replayed on the new socket after `resumed`, so a resumed client misses nothing
// (a subscribe offer, someone joining, a chat line). Bounded: a participant with more
// than kMaxHeldFrames waiting for it is not coming back soon enough to catch up, and is
// let go at once (SignalingHub::expireGrace).
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "signaling/signaling_hub.hpp"

namespace medrtc::signaling {

class HeldSocket final : public PeerSocket {
 public:
  static constexpr size_t kMaxHeldFrames = 512;

  void sendText(std::string text) override {
    if (closed_ || overflowed_) {
      return;
    }
    if (frames_.size() >= kMaxHeldFrames) {
      overflowed_ = true;
      frames_.clear();
      return;
    }
    frames_.push_back(std::move(text));
  }
  // The hub dismissed the participant during its grace (removed, room ended, …): it will
  // not be resumed; a later `join` tells it why.
  void close(uint16_t, std::string_view) override { closed_ = true; }

  bool closed() const { return closed_; }
  bool overflowed() const { return overflowed_; }
  std::vector<std::string> take() { return std::move(frames_); }

 private:
  std::vector<std::string> frames_;
  bool closed_ = false;
  bool overflowed_ = false;
};

}  // namespace medrtc::signaling
