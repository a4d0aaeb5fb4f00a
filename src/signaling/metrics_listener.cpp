#include "signaling/metrics_listener.hpp"
#include "log/log.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <stdexcept>

#include "signaling/connection_limits.hpp"
#include "signaling/problem.hpp"

namespace medrtc::signaling {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kTimeout = std::chrono::seconds(10);
// Scrapers open a connection or two; more at once is a flood, closed at accept so this port
// cannot use up the descriptors the main listener reserves (issue 10 item 5).
constexpr size_t kMaxOpenSessions = 16;

// One request, one response, then close: scrapers open few connections.
class MetricsSession : public std::enable_shared_from_this<MetricsSession> {
 public:
  MetricsSession(tcp::socket socket, const MetricsEndpoint& endpoint, std::shared_ptr<size_t> open)
      : stream_(std::move(socket)), endpoint_(endpoint), open_(std::move(open)) {
    ++*open_;
  }
  ~MetricsSession() { --*open_; }

  void run() {
    parser_.header_limit(8 * 1024);
    parser_.body_limit(0);
    stream_.expires_after(kTimeout);
    http::async_read(stream_, buffer_, parser_, [self = shared_from_this()](beast::error_code ec, size_t) {
      self->onRead(ec);
    });
  }

 private:
  void onRead(beast::error_code ec) {
    if (ec) {
      stream_.close();
      return;
    }
    const auto& req = parser_.get();
    HttpResponse r;
    if (targetPath(std::string(req.target())) != "/metrics") {
      r = problem(404, "not_found", "this listener serves only /metrics");
    } else if (req.method() != http::verb::get && req.method() != http::verb::head) {
      r = problem(405, "method_not_allowed", "allowed: GET, HEAD");
      r.headers.emplace_back("Allow", "GET, HEAD");
    } else {
      r = endpoint_.serve(std::string(req[http::field::accept]));
    }
    res_.result(static_cast<http::status>(r.status));
    res_.version(req.version());
    res_.set(http::field::content_type, r.contentType);
    res_.set(http::field::cache_control, "no-store");
    for (const auto& [name, value] : r.headers) {
      res_.set(name, value);
    }
    res_.keep_alive(false);
    res_.body() = std::move(r.body);
    res_.prepare_payload();
    if (req.method() == http::verb::head) {
      res_.body().clear();
    }
    http::async_write(stream_, res_, [self = shared_from_this()](beast::error_code, size_t) {
      beast::error_code ignored;
      self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
      self->stream_.close();
    });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request_parser<http::empty_body> parser_;
  http::response<http::string_body> res_;
  const MetricsEndpoint& endpoint_;
  std::shared_ptr<size_t> open_;  // sessions alive, shared with the listener
};

}  // namespace

struct MetricsListener::Impl : std::enable_shared_from_this<MetricsListener::Impl> {
  Impl(asio::io_context& ioc, const MetricsEndpoint& endpoint) : acceptor(ioc), retry(ioc), endpoint(endpoint) {}

  void accept() {
    acceptor.async_accept([self = shared_from_this()](beast::error_code ec, tcp::socket socket) {
      if (ec) {
        if (ec != asio::error::operation_aborted && !self->stopped) {
          self->acceptFailed(ec);
        }
        return;
      }
      self->backoff.succeeded();
      if (*self->open >= kMaxOpenSessions) {
        beast::error_code ignored;
        socket.close(ignored);
      } else {
        std::make_shared<MetricsSession>(std::move(socket), self->endpoint, self->open)->run();
      }
      self->accept();
    });
  }

  // Out of descriptors (EMFILE) fails every accept at once: wait before the next one, and
  // log at most once per interval, as the main listener does.
  void acceptFailed(const beast::error_code& ec) {
    uint64_t suppressed = 0;
    if (logThrottle.allow(std::chrono::steady_clock::now(), suppressed)) {
      log::warn("metrics_accept_failed", {{"error", ec.message()}, {"repeated", suppressed}});
    }
    retry.expires_after(backoff.failed());
    retry.async_wait([self = shared_from_this()](beast::error_code waited) {
      if (!waited && !self->stopped) {
        self->accept();
      }
    });
  }

  tcp::acceptor acceptor;
  asio::steady_timer retry;
  AcceptBackoff backoff;
  LogThrottle logThrottle;
  const MetricsEndpoint& endpoint;
  std::shared_ptr<size_t> open = std::make_shared<size_t>(0);
  bool stopped = false;
};

MetricsListener::MetricsListener(asio::io_context& ioc, const MetricsEndpoint& endpoint)
    : impl_(std::make_shared<Impl>(ioc, endpoint)) {}

MetricsListener::~MetricsListener() { stop(); }

void MetricsListener::start(const std::string& host, uint16_t port) {
  beast::error_code ec;
  auto address = asio::ip::make_address(host, ec);
  if (ec) {
    throw std::runtime_error("--metrics-listen: not an IP address: " + host);
  }
  tcp::endpoint endpoint(address, port);
  impl_->acceptor.open(endpoint.protocol());
  impl_->acceptor.set_option(asio::socket_base::reuse_address(true));
  impl_->acceptor.bind(endpoint, ec);
  if (ec) {
    throw std::runtime_error("cannot listen for metrics on " + host + ":" + std::to_string(port) + ": " +
                             ec.message());
  }
  impl_->acceptor.listen();
  impl_->accept();
  log::info("metrics_listening", {{"address", host}, {"port", impl_->acceptor.local_endpoint().port()}});
}

uint16_t MetricsListener::port() const { return impl_->acceptor.local_endpoint().port(); }

void MetricsListener::stop() {
  if (impl_->stopped) {
    return;
  }
  impl_->stopped = true;
  beast::error_code ignored;
  impl_->acceptor.close(ignored);
  impl_->retry.cancel();
}

}  // namespace medrtc::signaling
