#include "sdp/codec_lines.hpp"

#include <set>

#include "sdp/text.hpp"

namespace medrtc::sdp {

namespace {

// RFC 3551 §6: static payload types that may appear without an rtpmap.
struct StaticPayloadType {
  int payloadType;
  const char* name;
  uint32_t clockRate;
  uint32_t channels;
};
constexpr StaticPayloadType kStaticPayloadTypes[] = {
    {0, "PCMU", 8000, 1}, {3, "GSM", 8000, 1},  {4, "G723", 8000, 1}, {8, "PCMA", 8000, 1},
    {9, "G722", 8000, 1}, {13, "CN", 8000, 1},  {18, "G729", 8000, 1},
};

std::optional<ParseFailure> failAt(SdpError code, size_t line) { return ParseFailure{code, line}; }

}  // namespace

std::optional<ParseFailure> assembleCodecs(MediaSection& m, const CodecLines& lines) {
  if (!m.isRtp()) {
    return std::nullopt;
  }
  m.codecs.reserve(m.formats.size());
  for (const std::string& format : m.formats) {
    Codec c;
    c.payloadType = *text::parseUnsigned<int>(format, 127);
    for (const StaticPayloadType& s : kStaticPayloadTypes) {
      if (s.payloadType == c.payloadType) {
        c.name = s.name;
        c.clockRate = s.clockRate;
        c.channels = s.channels;
      }
    }
    m.codecs.push_back(std::move(c));
  }
  auto findCodec = [&](std::string_view pt) -> Codec* {
    int n = *text::parseUnsigned<int>(pt, 127);
    for (Codec& c : m.codecs) {
      if (c.payloadType == n) {
        return &c;
      }
    }
    return nullptr;
  };
  std::set<int> mapped;
  for (const CodecLine& l : lines.rtpmaps) {
    // RFC 8866 §6.6: encoding name "/" clock rate ["/" encoding parameters].
    auto parts = text::split(l.rest, '/');
    if (parts.size() < 2 || parts.size() > 3 || !text::isToken(parts[0])) {
      return failAt(SdpError::kInvalidRtpmap, l.line);
    }
    auto clock = text::parseUnsigned<uint32_t>(parts[1], UINT32_MAX);
    std::optional<uint32_t> channels = 0;
    if (parts.size() == 3) {
      channels = text::parseUnsigned<uint32_t>(parts[2], 255);
    }
    if (!clock || *clock == 0 || !channels) {
      return failAt(SdpError::kInvalidRtpmap, l.line);
    }
    Codec* c = findCodec(l.pt);
    if (c == nullptr) {
      continue;
    }
    if (!mapped.insert(c->payloadType).second) {
      return failAt(SdpError::kInvalidRtpmap, l.line);
    }
    c->name = std::string(parts[0]);
    c->clockRate = *clock;
    c->channels = *channels;
  }
  for (const CodecLine& l : lines.fmtps) {
    Codec* c = findCodec(l.pt);
    if (c == nullptr) {
      continue;
    }
    if (!c->fmtp.empty()) {
      return failAt(SdpError::kInvalidFmtp, l.line);
    }
    c->fmtp = std::string(l.rest);
    // RFC 4588 §8.6: an rtx payload type names its original with apt=. An rtx without apt
    // is useless but harmless; negotiation drops it.
    if (text::iequals(c->name, "rtx")) {
      if (auto apt = text::fmtpParameter(c->fmtp, "apt")) {
        auto target = text::parseUnsigned<int>(*apt, 127);
        if (!target) {
          return failAt(SdpError::kInvalidFmtp, l.line);
        }
        c->rtxFor = *target;
      }
    }
  }
  for (const CodecLine& l : lines.rtcpFbs) {
    if (l.rest.empty()) {
      return failAt(SdpError::kInvalidRtcpFb, l.line);
    }
    std::string feedback;
    for (std::string_view word : text::splitSpaces(l.rest)) {
      if (!text::isToken(word)) {
        return failAt(SdpError::kInvalidRtcpFb, l.line);
      }
      feedback += feedback.empty() ? "" : " ";
      feedback += word;
    }
    for (Codec& c : m.codecs) {
      if (l.pt == "*" || c.payloadType == *text::parseUnsigned<int>(l.pt, 127)) {
        c.rtcpFeedback.push_back(feedback);
      }
    }
  }
  return std::nullopt;
}

}  // namespace medrtc::sdp
