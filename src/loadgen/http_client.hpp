#pragma once
// Minimal asynchronous HTTP/1.1 client (Boost.Beast) for the control traffic of the load
// generator: medrtc's REST API and Janus's HTTP API, including its long polls. One
// connection per request, which keeps the code small; control traffic is a few requests
// per participant. Everything runs on the caller's io_context thread (the control thread),
// never on a media event loop.
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.hpp"

namespace boost::asio {
class io_context;
}

namespace medrtc::loadgen {

// http://host[:port][/path]; no https, no userinfo.
struct Url {
  std::string host;
  std::string port = "80";
  std::string path;  // "" or "/janus"
};
std::optional<Url> parseUrl(std::string_view url);

struct HttpReply {
  int status = 0;
  std::string body;
};

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;
// Error: a short description of the network failure or timeout.
using HttpCallback = std::function<void(Result<HttpReply, std::string>)>;

// Sends `method target` to url.host:url.port with `body` (JSON when non-empty) and calls
// `done` on the io_context's thread.
void asyncHttpRequest(boost::asio::io_context& ioc, const Url& url, std::string method, std::string target,
                      std::string body, HttpHeaders headers, std::chrono::seconds timeout, HttpCallback done);

}  // namespace medrtc::loadgen
