#include "signaling/problem.hpp"

#include <boost/json.hpp>

namespace medrtc::signaling {

std::string targetPath(const std::string& target) {
  size_t end = target.find_first_of("?#");
  return end == std::string::npos ? target : target.substr(0, end);
}

const char* reasonPhrase(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 426: return "Upgrade Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    default: return "Error";
  }
}

HttpResponse problem(int status, std::string_view code, std::string_view detail) {
  boost::json::object o{{"type", "https://medrtc.dev/problems/" + std::string(code)},
                        {"title", reasonPhrase(status)},
                        {"status", status},
                        {"detail", detail},
                        {"code", code}};
  HttpResponse r;
  r.status = status;
  r.contentType = "application/problem+json";
  r.body = boost::json::serialize(o);
  return r;
}

}  // namespace medrtc::signaling
