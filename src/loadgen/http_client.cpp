#include "loadgen/http_client.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <charconv>
#include <memory>

namespace medrtc::loadgen {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::optional<Url> parseUrl(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    return std::nullopt;
  }
  url.remove_prefix(kScheme.size());
  Url out;
  const size_t slash = url.find('/');
  std::string_view authority = url.substr(0, slash);
  if (slash != std::string_view::npos) {
    out.path = std::string(url.substr(slash));
    while (!out.path.empty() && out.path.back() == '/') {
      out.path.pop_back();
    }
  }
  const size_t colon = authority.rfind(':');
  if (colon != std::string_view::npos && authority.find(']') == std::string_view::npos) {
    std::string_view port = authority.substr(colon + 1);
    int value = 0;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || ptr != port.data() + port.size() || value <= 0 || value > 65535) {
      return std::nullopt;
    }
    out.port = std::string(port);
    authority = authority.substr(0, colon);
  }
  if (authority.empty()) {
    return std::nullopt;
  }
  out.host = std::string(authority);
  return out;
}

namespace {

class HttpOperation : public std::enable_shared_from_this<HttpOperation> {
 public:
  HttpOperation(asio::io_context& ioc, HttpCallback done) : resolver_(ioc), stream_(ioc), done_(std::move(done)) {}

  void run(const Url& url, std::string method, std::string target, std::string body, HttpHeaders headers,
           std::chrono::seconds timeout) {
    request_.method_string(method);
    request_.target(target);
    request_.version(11);
    request_.set(http::field::host, url.host + ":" + url.port);
    request_.set(http::field::connection, "close");
    for (auto& [name, value] : headers) {
      request_.set(name, value);
    }
    if (!body.empty()) {
      request_.set(http::field::content_type, "application/json");
      request_.body() = std::move(body);
    }
    request_.prepare_payload();
    timeout_ = timeout;
    resolver_.async_resolve(url.host, url.port,
                            [self = shared_from_this()](beast::error_code ec, tcp::resolver::results_type results) {
                              self->onResolved(ec, results);
                            });
  }

 private:
  void onResolved(beast::error_code ec, const tcp::resolver::results_type& results) {
    if (ec) {
      return finish("resolve: " + ec.message());
    }
    stream_.expires_after(timeout_);
    stream_.async_connect(results, [self = shared_from_this()](beast::error_code ec, const tcp::endpoint&) {
      if (ec) {
        return self->finish("connect: " + ec.message());
      }
      http::async_write(self->stream_, self->request_, [self](beast::error_code ec, size_t) {
        if (ec) {
          return self->finish("write: " + ec.message());
        }
        http::async_read(self->stream_, self->buffer_, self->response_, [self](beast::error_code ec, size_t) {
          if (ec) {
            return self->finish("read: " + ec.message());
          }
          beast::error_code ignored;
          self->stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
          self->done_(HttpReply{static_cast<int>(self->response_.result_int()), std::move(self->response_.body())});
        });
      });
    });
  }

  void finish(std::string error) { done_(fail(std::move(error))); }

  tcp::resolver resolver_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  http::response<http::string_body> response_;
  std::chrono::seconds timeout_{10};
  HttpCallback done_;
};

}  // namespace

void asyncHttpRequest(asio::io_context& ioc, const Url& url, std::string method, std::string target, std::string body,
                      HttpHeaders headers, std::chrono::seconds timeout, HttpCallback done) {
  auto op = std::make_shared<HttpOperation>(ioc, std::move(done));
  op->run(url, std::move(method), std::move(target), std::move(body), std::move(headers), timeout);
}

}  // namespace medrtc::loadgen
