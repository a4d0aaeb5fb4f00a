#pragma once
// JSON request and response helpers shared by the REST handlers (rest_api.cpp,
// clinic_routes.cpp).
#include <boost/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "signaling/http_types.hpp"

namespace medrtc::signaling {

// Unicode code points in a UTF-8 string (Boost.JSON already validated the encoding).
size_t codePoints(std::string_view s);
HttpResponse jsonResponse(int status, const boost::json::value& v);
// Parses an optional JSON object body. nullopt + `error` filled on failure.
std::optional<boost::json::object> parseBody(const HttpRequest& r, bool required, HttpResponse& error);
// A string member with a length bound in code points; absent → nullopt with ok=true.
std::optional<std::string> stringMember(const boost::json::object& o, std::string_view key, size_t minLen,
                                        size_t maxLen, bool required, HttpResponse& error, bool& ok);

}  // namespace medrtc::signaling
