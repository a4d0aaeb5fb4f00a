#include "sfu/decoder_match.hpp"

#include <cstdlib>
#include <string_view>

#include <strings.h>

namespace medrtc::sfu {

namespace {

// The value of `key` in an fmtp line ("a=1;b=2"), or `fallback` when absent.
std::string_view fmtpValue(std::string_view fmtp, std::string_view key, std::string_view fallback) {
  while (!fmtp.empty()) {
    size_t end = fmtp.find(';');
    std::string_view item = fmtp.substr(0, end);
    while (!item.empty() && item.front() == ' ') {
      item.remove_prefix(1);
    }
    size_t eq = item.find('=');
    if (eq != std::string_view::npos && item.substr(0, eq).size() == key.size() &&
        strncasecmp(item.data(), key.data(), key.size()) == 0) {
      return item.substr(eq + 1);
    }
    fmtp = end == std::string_view::npos ? std::string_view{} : fmtp.substr(end + 1);
  }
  return fallback;
}

// The H.264 profile of a profile-level-id (RFC 6184 §8.1: profile_idc, profile-iop,
// level_idc, six hex digits; 42000a when absent). Constrained Baseline has three spellings
// (profile_idc 42, 4d or 58 with constraint flags), folded into one value here as
// libwebrtc's H264ProfileLevelId does; Constrained High (64 with constraint_set4 and 5,
// ITU-T H.264 A.2.4.2) is a profile of its own there, apart from High, so it is here too:
// a decoder of one is not announced as a decoder of the other. -1 when unreadable.
int h264Profile(std::string_view profileLevelId) {
  if (profileLevelId.size() != 6) {
    return -1;
  }
  char digits[7] = {};
  profileLevelId.copy(digits, 6);
  char* end = nullptr;
  long value = std::strtol(digits, &end, 16);
  if (end != digits + 6) {
    return -1;
  }
  int idc = static_cast<int>(value >> 16) & 0xFF;
  int iop = static_cast<int>(value >> 8) & 0xFF;
  constexpr int kConstrainedBaseline = 0x1000;
  constexpr int kConstrainedHigh = 0x1064;
  if ((idc == 0x42 && (iop & 0x40) != 0) || (idc == 0x4D && (iop & 0x80) != 0) ||
      (idc == 0x58 && (iop & 0xC0) == 0xC0)) {
    return kConstrainedBaseline;
  }
  if (idc == 0x64 && (iop & 0x0C) == 0x0C) {
    return kConstrainedHigh;
  }
  return idc;
}

uint32_t channelsOf(uint32_t channels) { return channels == 0 ? 1 : channels; }

}  // namespace

bool decodes(const DecoderCodec& decoder, const std::string& kind, const RtpCodec& codec) {
  if (decoder.kind != kind || strcasecmp(decoder.name.c_str(), codec.name.c_str()) != 0 || decoder.clockRate != codec.clockRate) {
    return false;
  }
  if (decoder.kind == "audio" && channelsOf(decoder.channels) != channelsOf(codec.channels)) {
    return false;
  }
  if (strcasecmp(codec.name.c_str(), "H264") == 0) {
    if (fmtpValue(decoder.fmtp, "packetization-mode", "0") != fmtpValue(codec.fmtp, "packetization-mode", "0")) {
      return false;
    }
    int wanted = h264Profile(fmtpValue(codec.fmtp, "profile-level-id", "42000a"));
    return wanted >= 0 && wanted == h264Profile(fmtpValue(decoder.fmtp, "profile-level-id", "42000a"));
  }
  return true;
}

}  // namespace medrtc::sfu
