#include "signaling/message/decoder_announcement.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <optional>
#include <string_view>

namespace medrtc::signaling {

namespace json = boost::json;

namespace {

Unexpected<std::string> wrong(std::string_view field) { return fail(std::string("decoders.") + std::string(field)); }

// RFC 4855 §2 / RFC 6838 §4.2: a subtype name is 1-127 of these; we take fewer.
bool isTypeNameChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == '+' || c == '-';
}

// Printable US-ASCII, what an SDP attribute value may hold here (RFC 8866 §9: no CR, LF, NUL).
bool isPrintable(std::string_view s, bool spaces) {
  return std::all_of(s.begin(), s.end(), [spaces](char c) { return (c > ' ' && c < 0x7F) || (spaces && c == ' '); });
}

// A whole number in [min, max], whichever JSON number type carries it.
std::optional<uint32_t> wholeNumber(const json::value& v, uint32_t min, uint32_t max) {
  int64_t n = -1;
  if (v.is_int64()) {
    n = v.get_int64();
  } else if (v.is_uint64() && v.get_uint64() <= max) {
    n = static_cast<int64_t>(v.get_uint64());
  }
  if (n < min || n > max) {
    return std::nullopt;
  }
  return static_cast<uint32_t>(n);
}

Result<sfu::DecoderCodec, std::string> parseCodec(const json::value& v) {
  const json::object* o = v.if_object();
  if (o == nullptr) {
    return wrong("codecs");
  }
  sfu::DecoderCodec codec;
  const json::value* mime = o->if_contains("mime_type");
  const json::string* mimeType = mime != nullptr ? mime->if_string() : nullptr;
  if (mimeType == nullptr || mimeType->size() > kMaxMimeTypeBytes) {
    return wrong("codecs.mime_type");
  }
  std::string_view text(mimeType->data(), mimeType->size());
  size_t slash = text.find('/');
  std::string_view kind = text.substr(0, slash);
  std::string_view name = slash == std::string_view::npos ? std::string_view{} : text.substr(slash + 1);
  if ((kind != "audio" && kind != "video") || name.empty() || !std::all_of(name.begin(), name.end(), isTypeNameChar)) {
    return wrong("codecs.mime_type");
  }
  codec.kind = std::string(kind);
  codec.name = std::string(name);
  // RFC 3550 §5.1: a 32-bit timestamp clock; no media format above 1 MHz exists.
  const json::value* clock = o->if_contains("clock_rate");
  auto clockRate = clock != nullptr ? wholeNumber(*clock, 1, 1'000'000) : std::nullopt;
  if (!clockRate) {
    return wrong("codecs.clock_rate");
  }
  codec.clockRate = *clockRate;
  if (const json::value* channels = o->if_contains("channels"); channels != nullptr) {
    auto count = wholeNumber(*channels, 1, 255);
    if (!count) {
      return wrong("codecs.channels");
    }
    codec.channels = *count;
  }
  if (const json::value* fmtp = o->if_contains("sdp_fmtp_line"); fmtp != nullptr) {
    const json::string* line = fmtp->if_string();
    if (line == nullptr || line->size() > kMaxFmtpBytes || !isPrintable(*line, /*spaces=*/true)) {
      return wrong("codecs.sdp_fmtp_line");
    }
    codec.fmtp = std::string(line->data(), line->size());
  }
  return codec;
}

}  // namespace

Result<sfu::ReceiveCapabilities, std::string> parseDecoderAnnouncement(const json::value& decoders) {
  const json::object* o = decoders.if_object();
  if (o == nullptr) {
    return fail(std::string("decoders"));
  }
  sfu::ReceiveCapabilities out;
  const json::value* codecs = o->if_contains("codecs");
  const json::array* codecList = codecs != nullptr ? codecs->if_array() : nullptr;
  if (codecList == nullptr || codecList->size() > kMaxAnnouncedCodecs) {
    return wrong("codecs");
  }
  out.codecs.reserve(codecList->size());
  for (const json::value& v : *codecList) {
    auto codec = parseCodec(v);
    if (!codec) {
      return fail(codec.error());
    }
    out.codecs.push_back(std::move(*codec));
  }
  // Required (getCapabilities always has it): the SFU offers only the extensions listed.
  const json::value* extensions = o->if_contains("header_extensions");
  const json::array* list = extensions != nullptr ? extensions->if_array() : nullptr;
  if (list == nullptr || list->size() > kMaxAnnouncedExtensions) {
    return wrong("header_extensions");
  }
  for (const json::value& v : *list) {
    const json::string* uri = v.if_string();
    if (uri == nullptr || uri->empty() || uri->size() > kMaxExtensionUriBytes || !isPrintable(*uri, false)) {
      return wrong("header_extensions");
    }
    out.headerExtensions.emplace_back(uri->data(), uri->size());
  }
  return out;
}

}  // namespace medrtc::signaling
