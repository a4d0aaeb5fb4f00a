#pragma once
// Canonical JSON for hashing: object keys sorted by their bytes, no whitespace, strings
// escaped the way Boost.JSON escapes them, integers only. Same value, same bytes: the
// audit leaf hash covers these bytes, and verify re-serialises a line and compares.
#include <string>

#include <boost/json/value.hpp>

namespace medrtc::compliance {

std::string canonicalJson(const boost::json::value& value);

}  // namespace medrtc::compliance
