#include "srtp/srtp_profile.hpp"

#include <cstdlib>

namespace medrtc::srtp {

static_assert([] {
  for (const auto& spec : kSrtpProfileSpecs) {
    if (spec.rtpTrailerLength > kSrtpMaxRtpTrailer || spec.rtcpTrailerLength > kSrtpMaxRtcpTrailer ||
        spec.masterKeyLength > kSrtpMaxMasterKeyLength || spec.masterSaltLength > kSrtpMaxMasterSaltLength) {
      return false;
    }
  }
  return true;
}());

const SrtpProfileSpec& srtpProfileSpec(SrtpProfile profile) {
  for (const auto& spec : kSrtpProfileSpecs) {
    if (spec.profile == profile) {
      return spec;
    }
  }
  std::abort();  // Can't happen: every enumerator has a row.
}

std::optional<SrtpProfile> srtpProfileFromOpenSsl(unsigned long protectionProfileId) {
  for (const auto& spec : kSrtpProfileSpecs) {
    if (spec.protectionProfileId == protectionProfileId) {
      return spec.profile;
    }
  }
  return std::nullopt;
}

std::optional<SrtpProfile> srtpProfileFromName(std::string_view openSslName) {
  for (const auto& spec : kSrtpProfileSpecs) {
    if (spec.openSslName == openSslName) {
      return spec.profile;
    }
  }
  return std::nullopt;
}

std::string_view toString(SrtpProfile profile) { return srtpProfileSpec(profile).openSslName; }

}  // namespace medrtc::srtp
