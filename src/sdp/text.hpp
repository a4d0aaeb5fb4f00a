#pragma once
// Small string helpers for the SDP parser and builders (internal to src/sdp).
#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

namespace medrtc::sdp::text {

// Unsigned decimal, whole string, no sign, no leading '+', at most `max`.
template <typename T>
std::optional<T> parseUnsigned(std::string_view s, uint64_t max = UINT64_MAX) {
  static_assert(std::is_unsigned_v<T> || std::is_same_v<T, int>);
  if (s.empty() || s.size() > 20) {
    return std::nullopt;
  }
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || ptr != s.data() + s.size() || v > max) {
    return std::nullopt;
  }
  return static_cast<T>(v);
}

// Splits on `sep`, keeping empty fields.
std::vector<std::string_view> split(std::string_view s, char sep);
// Splits on runs of spaces; no empty fields.
std::vector<std::string_view> splitSpaces(std::string_view s);
std::string_view trim(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
std::string toLower(std::string_view s);

// RFC 8866 §9 token-char: printable ASCII except separators.
bool isToken(std::string_view s);

// Value of `key` in "k1=v1;k2=v2" (fmtp style, RFC 8866 §6.15), case-insensitive key.
std::optional<std::string_view> fmtpParameter(std::string_view fmtp, std::string_view key);

}  // namespace medrtc::sdp::text
