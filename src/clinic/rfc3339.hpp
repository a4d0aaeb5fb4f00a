#pragma once
// RFC 3339 §5.6 date-time: parsing any offset, formatting in UTC ("Z").
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace medrtc::clinic {

// "2026-01-31T12:00:00Z", "2026-01-31T13:00:00.250+01:00" → Unix seconds (fraction
// dropped). nullopt for anything else (RFC 3339 requires the offset).
std::optional<int64_t> parseRfc3339(std::string_view text);
// "2026-01-31T12:00:00Z".
std::string formatRfc3339(int64_t unixSeconds);

}  // namespace medrtc::clinic
