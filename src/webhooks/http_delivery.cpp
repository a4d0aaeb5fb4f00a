#include "webhooks/http_delivery.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <optional>

namespace medrtc::webhooks {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

// An answer's body is never read for meaning; a receiver sending megabytes is cut off.
constexpr size_t kMaxResponseBytes = 64 * 1024;

class Delivery final : public PendingDelivery, public std::enable_shared_from_this<Delivery> {
 public:
  Delivery(asio::io_context& ioc, asio::ssl::context& tls, TargetPolicy policy, HttpPost request,
           std::chrono::milliseconds timeout, std::function<void(DeliveryOutcome)> done)
      : resolver_(ioc),
        policy_(policy),
        request_(std::move(request)),
        timeout_(timeout),
        done_(std::move(done)),
        deadline_(ioc) {
    if (request_.url.https) {
      tls_.emplace(ioc, tls);
    } else {
      plain_.emplace(ioc);
    }
  }

  void start() {
    deadline_.expires_after(timeout_);
    deadline_.async_wait([self = shared_from_this()](const beast::error_code& ec) {
      if (!ec) {
        self->abort("timeout");
      }
    });
    resolver_.async_resolve(request_.url.host, std::to_string(request_.url.port),
                            [self = shared_from_this()](const beast::error_code& ec, tcp::resolver::results_type r) {
                              self->onResolve(ec, std::move(r));
                            });
  }

  void cancel() override { abort("cancelled"); }

 private:
  beast::tcp_stream& lowest() { return tls_ ? beast::get_lowest_layer(*tls_) : *plain_; }

  void onResolve(const beast::error_code& ec, tcp::resolver::results_type results) {
    if (finished_) {
      return;
    }
    if (ec) {
      return finish({0, "resolve"});
    }
    // Every address must pass: connect() may pick any of them.
    std::vector<tcp::endpoint> endpoints;
    for (const auto& entry : results) {
      if (!addressAllowed(entry.endpoint().address().to_string(), policy_)) {
        return finish({0, "target_refused"});
      }
      endpoints.push_back(entry.endpoint());
    }
    if (endpoints.empty()) {
      return finish({0, "resolve"});
    }
    lowest().async_connect(endpoints, [self = shared_from_this()](const beast::error_code& ec, const tcp::endpoint&) {
      self->onConnect(ec);
    });
  }

  void onConnect(const beast::error_code& ec) {
    if (finished_) {
      return;
    }
    if (ec) {
      return finish({0, "connect"});
    }
    if (!tls_) {
      return write();
    }
    // SNI (RFC 6066 §3) and RFC 6125 name checks; an address literal is checked as one.
    if (!SSL_set_tlsext_host_name(tls_->native_handle(), request_.url.host.c_str())) {
      return finish({0, "tls"});
    }
    tls_->set_verify_mode(asio::ssl::verify_peer);
    tls_->set_verify_callback(asio::ssl::host_name_verification(request_.url.host));
    tls_->async_handshake(asio::ssl::stream_base::client, [self = shared_from_this()](const beast::error_code& ec) {
      if (self->finished_) {
        return;
      }
      if (ec) {
        return self->finish({0, "tls"});
      }
      self->write();
    });
  }

  void write() {
    req_.method(http::verb::post);
    req_.target(request_.url.target);
    req_.version(11);
    bool defaultPort = request_.url.port == (request_.url.https ? 443 : 80);
    std::string host = request_.url.host.find(':') != std::string::npos ? "[" + request_.url.host + "]"
                                                                         : request_.url.host;
    req_.set(http::field::host, defaultPort ? host : host + ":" + std::to_string(request_.url.port));
    req_.set(http::field::user_agent, "medrtc-webhooks/1");
    req_.set(http::field::content_type, "application/json");
    req_.set(http::field::connection, "close");
    for (const auto& [name, value] : request_.headers) {
      req_.set(name, value);
    }
    req_.body() = request_.body;
    req_.prepare_payload();
    auto onWrite = [self = shared_from_this()](const beast::error_code& ec, size_t) {
      if (self->finished_) {
        return;
      }
      if (ec) {
        return self->finish({0, "io"});
      }
      self->read();
    };
    if (tls_) {
      http::async_write(*tls_, req_, onWrite);
    } else {
      http::async_write(*plain_, req_, onWrite);
    }
  }

  void read() {
    parser_.body_limit(kMaxResponseBytes);
    auto onRead = [self = shared_from_this()](const beast::error_code& ec, size_t) {
      if (self->finished_) {
        return;
      }
      // A status line that arrived counts even when the body was cut off.
      if (ec && !self->parser_.is_header_done()) {
        return self->finish({0, "io"});
      }
      int status = static_cast<int>(self->parser_.get().result_int());
      self->finish({status, status >= 200 && status < 300 ? "" : "http_" + std::to_string(status)});
    };
    if (tls_) {
      http::async_read(*tls_, buffer_, parser_, onRead);
    } else {
      http::async_read(*plain_, buffer_, parser_, onRead);
    }
  }

  void abort(const char* why) {
    if (finished_) {
      return;
    }
    finish({0, why});
  }

  void finish(DeliveryOutcome outcome) {
    finished_ = true;
    deadline_.cancel();
    resolver_.cancel();
    beast::error_code ignored;
    lowest().socket().close(ignored);
    auto done = std::move(done_);
    if (done) {
      done(std::move(outcome));
    }
  }

  tcp::resolver resolver_;
  TargetPolicy policy_;
  HttpPost request_;
  std::chrono::milliseconds timeout_;
  std::function<void(DeliveryOutcome)> done_;
  asio::steady_timer deadline_;
  std::optional<beast::tcp_stream> plain_;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls_;
  http::request<http::string_body> req_;
  beast::flat_buffer buffer_;
  http::response_parser<http::string_body> parser_;
  bool finished_ = false;
};

}  // namespace

std::shared_ptr<PendingDelivery> startPost(asio::io_context& ioc, asio::ssl::context& tls, const TargetPolicy& policy,
                                           HttpPost request, std::chrono::milliseconds timeout,
                                           std::function<void(DeliveryOutcome)> done) {
  auto delivery = std::make_shared<Delivery>(ioc, tls, policy, std::move(request), timeout, std::move(done));
  delivery->start();
  return delivery;
}

}  // namespace medrtc::webhooks
