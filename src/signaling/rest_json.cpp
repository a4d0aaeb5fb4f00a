#include "signaling/rest_json.hpp"

#include "signaling/problem.hpp"

namespace medrtc::signaling {

namespace json = boost::json;

size_t codePoints(std::string_view s) {
  size_t n = 0;
  for (unsigned char ch : s) {
    n += (ch & 0xC0) != 0x80;
  }
  return n;
}

HttpResponse jsonResponse(int status, const json::value& v) {
  HttpResponse r;
  r.status = status;
  r.contentType = "application/json";
  r.body = json::serialize(v);
  return r;
}

std::optional<json::object> parseBody(const HttpRequest& r, bool required, HttpResponse& error) {
  if (r.body.empty()) {
    if (required) {
      error = problem(400, "invalid_json", "a JSON object body is required");
      return std::nullopt;
    }
    return json::object{};
  }
  boost::system::error_code ec;
  json::parse_options options;
  options.max_depth = 16;
  json::value v = json::parse(r.body, ec, {}, options);
  if (ec || !v.is_object()) {
    error = problem(400, "invalid_json", "the body must be a JSON object");
    return std::nullopt;
  }
  return std::move(v.get_object());
}

std::optional<std::string> stringMember(const json::object& o, std::string_view key, size_t minLen, size_t maxLen,
                                        bool required, HttpResponse& error, bool& ok) {
  ok = true;
  const json::value* v = o.if_contains(key);
  if (v == nullptr || v->is_null()) {
    if (required) {
      ok = false;
      error = problem(400, "invalid_field", "\"" + std::string(key) + "\" is required");
    }
    return std::nullopt;
  }
  const json::string* s = v->if_string();
  size_t n = s ? codePoints(*s) : 0;
  if (s == nullptr || n < minLen || n > maxLen) {
    ok = false;
    error = problem(400, "invalid_field",
                    "\"" + std::string(key) + "\" must be a string of " + std::to_string(minLen) + " to " +
                        std::to_string(maxLen) + " characters");
    return std::nullopt;
  }
  return std::string(*s);
}

}  // namespace medrtc::signaling
