#pragma once
// What one subscriber can decode (the `caps` of mediasoup's consume(producer, caps)), kept
// by its room on the worker. A client that announced its decoders at join
// (ReceiveCapabilities, docs/protocol.md `join.decoders`) is offered only tracks in a codec
// it listed, RTX only if it listed RTX for that kind, and only the header extensions it
// listed. The browser also says so in its answers: an m-line it answers with port 0
// although the server offered it active had no codec it can decode (RFC 3264 §6, JSEP
// §5.3.1), so that codec is refused from then on. A track whose codec the subscriber
// cannot decode is not offered to it; the control side tells it why (codec_unsupported,
// docs/protocol.md). A subscriber that announced nothing (older clients, werift, loadgen)
// is assumed to decode every codec the server forwards until its first answer: VP8 and
// Opus, which every browser decodes, and H.264 constrained baseline, which most do (the
// publish answer prefers VP8 for that reason).
#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include <strings.h>

#include "sfu/decoder_match.hpp"
#include "sfu/rtp_parameters.hpp"

namespace medrtc::sfu {

class SubscriberCapabilities {
 public:
  SubscriberCapabilities() = default;
  explicit SubscriberCapabilities(std::optional<ReceiveCapabilities> announced) : announced_(std::move(announced)) {}

  // A track of `kind` ("audio" or "video") forwarded in `codec`.
  bool canReceive(const std::string& kind, const RtpCodec& codec) const {
    if (announced_ && std::none_of(announced_->codecs.begin(), announced_->codecs.end(),
                                   [&](const DecoderCodec& decoder) { return decodes(decoder, kind, codec); })) {
      return false;
    }
    return std::none_of(refusedCodecs_.begin(), refusedCodecs_.end(),
                        [&](const std::string& name) { return strcasecmp(name.c_str(), codec.name.c_str()) == 0; });
  }
  // RTX (RFC 4588) for a track of `kind`: unless the subscriber announced decoders without it.
  bool receivesRtx(const std::string& kind) const {
    return !announced_ || std::any_of(announced_->codecs.begin(), announced_->codecs.end(), [&](const DecoderCodec& d) {
             return d.kind == kind && strcasecmp(d.name.c_str(), "rtx") == 0;
           });
  }
  // The header-extension URIs it announced; none: every one the SFU offers.
  std::optional<std::vector<std::string>> receivableExtensions() const {
    if (!announced_) {
      return std::nullopt;
    }
    return announced_->headerExtensions;
  }
  // The subscriber answered the m-line `mid` (of `kind`), offered with `codec`, with port 0.
  void refuse(const std::string& mid, const std::string& kind, const RtpCodec& codec) {
    refusedMids_.push_back(mid);
    if (canReceive(kind, codec)) {
      refusedCodecs_.push_back(codec.name);
    }
  }
  // The m-line stays in the connection's order (its mid is never reused) but is offered
  // inactive from then on.
  bool refusedMid(const std::string& mid) const {
    return std::find(refusedMids_.begin(), refusedMids_.end(), mid) != refusedMids_.end();
  }

 private:
  std::optional<ReceiveCapabilities> announced_;
  std::vector<std::string> refusedCodecs_;
  std::vector<std::string> refusedMids_;
};

}  // namespace medrtc::sfu
