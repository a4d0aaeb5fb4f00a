#pragma once
// Text and JSON forms of limit results, and the suite names the command line takes.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "limit_types.hpp"

namespace medrtc::bench {

std::vector<std::string> splitSuites(std::string_view list);
// "gcm" / "AEAD_AES_128_GCM" and "sha1" / "AES_CM_128_HMAC_SHA1_80".
std::optional<srtp::SrtpProfile> profileFromSuiteName(std::string_view name);
// RFC 7714 / RFC 5764 names of the SRTP transforms.
std::string_view suiteName(srtp::SrtpProfile profile);
// The library and primitives the profile runs on here, e.g. "OpenSSL 3.0.19 ... EVP AES-128-GCM".
std::string cryptoName(srtp::SrtpProfile profile);

std::string textLine(const LimitResult& r);
std::string toJson(const LimitConfig& config, const std::vector<LimitResult>& results);

}  // namespace medrtc::bench
