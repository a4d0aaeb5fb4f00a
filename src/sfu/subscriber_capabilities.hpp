#pragma once
// What one subscriber can decode (the `caps` of mediasoup's consume(producer, caps)), kept
// by its room on the worker. The browser says so in its answers: an m-line it answers with
// port 0 although the server offered it active had no codec it can decode (RFC 3264 §6,
// JSEP §5.3.1), so that codec is refused from then on. A track whose codec the subscriber
// refused is not offered to it again; the control side tells it why (codec_unsupported,
// docs/protocol.md). Before its first answer a subscriber is assumed to decode every codec
// the server forwards: VP8 and Opus, which every browser decodes, and H.264 constrained
// baseline, which most do (the publish answer prefers VP8 for that reason).
#include <algorithm>
#include <string>
#include <vector>

#include <strings.h>

#include "sfu/rtp_parameters.hpp"

namespace medrtc::sfu {

class SubscriberCapabilities {
 public:
  bool canReceive(const RtpCodec& codec) const {
    return std::none_of(refusedCodecs_.begin(), refusedCodecs_.end(),
                        [&](const std::string& name) { return strcasecmp(name.c_str(), codec.name.c_str()) == 0; });
  }
  // The subscriber answered the m-line `mid`, offered with `codec`, with port 0.
  void refuse(const std::string& mid, const RtpCodec& codec) {
    refusedMids_.push_back(mid);
    if (canReceive(codec)) {
      refusedCodecs_.push_back(codec.name);
    }
  }
  // The m-line stays in the connection's order (its mid is never reused) but is offered
  // inactive from then on.
  bool refusedMid(const std::string& mid) const {
    return std::find(refusedMids_.begin(), refusedMids_.end(), mid) != refusedMids_.end();
  }

 private:
  std::vector<std::string> refusedCodecs_;
  std::vector<std::string> refusedMids_;
};

}  // namespace medrtc::sfu
