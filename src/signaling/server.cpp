#include "signaling/server.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <list>
#include <optional>

#include "signaling/control_metrics.hpp"
#include "signaling/join_token.hpp"
#include "signaling/metrics_endpoint.hpp"
#include "signaling/metrics_listener.hpp"
#include "signaling/server_metrics.hpp"
#include "signaling/problem.hpp"
#include "signaling/rest_api.hpp"
#include "signaling/signaling_hub.hpp"
#include "signaling/static_files.hpp"
#include "signaling/websocket_session.hpp"

namespace medrtc::signaling {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kHttpReadTimeout = std::chrono::seconds(30);
constexpr size_t kMaxHeaderBytes = 16 * 1024;
constexpr const char* kWebSocketPath = "/api/v1/ws";

// Sent with every response, API or page; frame-ancestors is appended from the options.
constexpr const char* kContentSecurityPolicy =
    "default-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; style-src 'self'; "
    "script-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors ";
// RFC 6797 §6.1: one year; sent only over TLS (§7.2: a plain-HTTP HSTS header is ignored).
constexpr const char* kStrictTransportSecurity = "max-age=31536000";

using TlsStream = beast::ssl_stream<beast::tcp_stream>;

template <class Stream>
constexpr bool kIsTls = std::is_same_v<Stream, TlsStream>;

// "/api/v1/rooms/{id}/recordings" → "recordings" (also transcriptions); "" otherwise.
std::string policyGatedAction(const std::string& path) {
  constexpr std::string_view prefix = "/api/v1/rooms/";
  if (path.rfind(prefix, 0) != 0) {
    return "";
  }
  size_t slash = path.find('/', prefix.size());
  if (slash == std::string::npos || slash == prefix.size()) {
    return "";
  }
  std::string rest = path.substr(slash + 1);
  if (rest == "recordings" || rest.rfind("recordings/", 0) == 0) {
    return "recording";
  }
  if (rest == "transcriptions" || rest.rfind("transcriptions/", 0) == 0) {
    return "transcription";
  }
  return "";
}

}  // namespace

// Server::Impl keeps every live HTTP session to close them at stop().
class HttpSessionBase {
 public:
  virtual ~HttpSessionBase() = default;
  virtual void shutdown() = 0;
};

struct Server::Impl {
  Impl(asio::io_context& ioc, ServerOptions opts, store::Store& store, const Clock& clock, const MediaFactory& make)
      : ioc(ioc),
        options(std::move(opts)),
        timedAudit(options.audit != nullptr ? std::make_unique<TimedAuditSink>(*options.audit) : nullptr),
        signer(options.tokenSecret, clock),
        hub(store, signer, clock),
        media(make([&ioc](std::function<void()> task) { asio::post(ioc, std::move(task)); }, hub)),
        rest(store, signer, hub, clock, options.dev, timedAudit.get(), options.tokenSecret, options.auth),
        files(options.webRoot),
        acceptor(ioc),
        contentSecurityPolicy(std::string(kContentSecurityPolicy) + options.frameAncestors) {
    hub.setMedia(media.get());
    hub.setAudit(timedAudit.get());
    rest.setMetrics(&metricsEndpoint);
    hub.setIceServers(options.iceServers);
    hub.setP2pPreferred(options.p2pPreferred);
  }

  void accept();
  // `remoteAddress`: the peer's IP (rate limits, audit); `secure`: arrived over TLS.
  HttpResponse respond(const http::request<http::string_body>& req, const std::string& remoteAddress, bool secure);
  HttpResponse refusePolicyGated(const std::string& action) const;

  asio::io_context& ioc;
  ServerOptions options;
  std::unique_ptr<TimedAuditSink> timedAudit;  // options.audit, timed for /metrics
  JoinTokenSigner signer;
  SignalingHub hub;
  std::unique_ptr<sfu::MediaApi> media;
  RestApi rest;
  StaticFiles files;
  tcp::acceptor acceptor;
  std::string contentSecurityPolicy;
  MetricsEndpoint metricsEndpoint{options.metricsToken, [this](std::vector<medrtc::metrics::Family>& out) {
                                    collectServerMetrics(hub, media.get(), out);
                                  }};
  std::unique_ptr<MetricsListener> metricsListener;
  std::list<std::weak_ptr<HttpSessionBase>> httpSessions;
  bool stopped = false;
};

// Stream: beast::tcp_stream (http://) or TlsStream (https://).
template <class Stream>
class HttpSession : public HttpSessionBase, public std::enable_shared_from_this<HttpSession<Stream>> {
 public:
  HttpSession(Stream stream, Server::Impl& server) : stream_(std::move(stream)), server_(server) {}

  void run() {
    if constexpr (kIsTls<Stream>) {
      beast::get_lowest_layer(stream_).expires_after(kHttpReadTimeout);
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (ec) {
                                  // Includes a ClientHello below the minimum version.
                                  spdlog::debug("tls handshake failed error={}", ec.message());
                                  beast::get_lowest_layer(self->stream_).close();
                                  return;
                                }
                                self->readRequest();
                              });
    } else {
      readRequest();
    }
  }
  void shutdown() override { beast::get_lowest_layer(stream_).close(); }

 private:
  void readRequest() {
    parser_.emplace();
    parser_->body_limit(kMaxRequestBodyBytes);
    parser_->header_limit(kMaxHeaderBytes);
    beast::get_lowest_layer(stream_).expires_after(kHttpReadTimeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&HttpSession::onRead, this->shared_from_this()));
  }

  void onRead(beast::error_code ec, size_t) {
    if (ec == http::error::body_limit) {
      HttpResponse r = problem(413, "payload_too_large", "request bodies are limited to 64 KiB");
      write(r, 11, false, false);
      return;
    }
    if (ec) {
      beast::get_lowest_layer(stream_).close();
      return;
    }
    auto& req = parser_->get();
    std::string path = targetPath(std::string(req.target()));
    if (beast::websocket::is_upgrade(req) && path == kWebSocketPath && !server_.stopped) {
      WebSocketTimeouts timeouts{server_.options.joinTimeout, server_.options.idleTimeout};
      if constexpr (kIsTls<Stream>) {
        // wss: the WebSocket keeps this TLS session.
        auto ws = std::make_shared<TlsWebSocketSession>(std::move(stream_), server_.hub, timeouts);
        ws->run(parser_->release());
      } else {
        auto ws = std::make_shared<WebSocketSession>(beast::tcp_stream(stream_.release_socket()), server_.hub,
                                                     timeouts);
        ws->run(parser_->release());
      }
      return;
    }
    bool head = req.method() == http::verb::head;
    beast::error_code endpointError;
    auto remote = beast::get_lowest_layer(stream_).socket().remote_endpoint(endpointError);
    std::string remoteAddress = endpointError ? "" : remote.address().to_string();
    write(server_.respond(req, remoteAddress, kIsTls<Stream>), req.version(), req.keep_alive(), head);
  }

  void write(const HttpResponse& r, unsigned version, bool keepAlive, bool headOnly) {
    auto res = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(r.status), version);
    res->set("Content-Security-Policy", server_.contentSecurityPolicy);
    res->set("Referrer-Policy", "no-referrer");
    res->set("X-Content-Type-Options", "nosniff");
    if (server_.options.frameAncestors == "'none'") {
      res->set("X-Frame-Options", "DENY");
    }
    if constexpr (kIsTls<Stream>) {
      res->set(http::field::strict_transport_security, kStrictTransportSecurity);
    }
    if (r.noStore) {
      res->set(http::field::cache_control, "no-store");
    }
    for (const auto& [name, value] : r.headers) {
      res->set(name, value);
    }
    if (!r.contentType.empty()) {
      res->set(http::field::content_type, r.contentType);
    }
    res->keep_alive(keepAlive && !server_.stopped);
    res->body() = r.body;
    res->prepare_payload();
    if (headOnly) {
      res->body().clear();  // Content-Length still announces the GET size (RFC 9110 §9.3.2)
    }
    http::async_write(stream_, *res, [self = this->shared_from_this(), res](beast::error_code ec, size_t) {
      if (ec || !res->keep_alive()) {
        self->closeAfterResponse(!ec);
        return;
      }
      self->readRequest();
    });
  }

  void closeAfterResponse(bool graceful) {
    if constexpr (kIsTls<Stream>) {
      if (graceful) {
        // close_notify (RFC 8446 §6.1), then the TCP connection; bounded by the timeout.
        beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(5));
        stream_.async_shutdown(
            [self = this->shared_from_this()](beast::error_code) { beast::get_lowest_layer(self->stream_).close(); });
        return;
      }
    } else {
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    }
    beast::get_lowest_layer(stream_).close();
  }

  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  Server::Impl& server_;
};

HttpResponse Server::Impl::respond(const http::request<http::string_body>& req, const std::string& remoteAddress,
                                   bool secure) {
  std::string target(req.target());
  std::string path = targetPath(target);
  if (std::string gated = policyGatedAction(path); !gated.empty()) {
    return refusePolicyGated(gated);
  }
  if (RestApi::owns(path)) {
    HttpRequest r;
    r.method = std::string(req.method_string());
    r.target = target;
    r.authorization = std::string(req[http::field::authorization]);
    r.cookie = std::string(req[http::field::cookie]);
    r.csrfToken = std::string(req["X-CSRF-Token"]);
    r.contentType = std::string(req[http::field::content_type]);
    r.host = std::string(req[http::field::host]);
    r.origin = std::string(req[http::field::origin]);
    r.secFetchSite = std::string(req["Sec-Fetch-Site"]);
    r.accept = std::string(req[http::field::accept]);
    r.remoteAddress = remoteAddress;
    r.secure = secure;
    r.body = req.body();
    return rest.handle(r);
  }
  if (req.method() != http::verb::get && req.method() != http::verb::head) {
    HttpResponse r = problem(405, "method_not_allowed", "allowed: GET, HEAD");
    r.headers.emplace_back("Allow", "GET, HEAD");
    return r;
  }
  return files.serve(target);
}

// Recording and transcription have no feature behind them: the policy refusal names the
// rule; under a profile that would allow them the honest answer is 501.
HttpResponse Server::Impl::refusePolicyGated(const std::string& action) const {
  const std::string& refusal = action == "recording" ? options.recordingRefusal : options.transcriptionRefusal;
  if (!refusal.empty()) {
    countPolicyRefusal(action);
    return problem(403, "policy_refused", refusal);
  }
  return problem(501, "not_implemented", action + " is not built in this version of medrtc");
}

void Server::Impl::accept() {
  acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
    if (ec) {
      if (ec != asio::error::operation_aborted && !stopped) {
        spdlog::warn("accept failed error={}", ec.message());
        accept();
      }
      return;
    }
    httpSessions.remove_if([](const std::weak_ptr<HttpSessionBase>& w) { return w.expired(); });
    if (options.tls) {
      auto session = std::make_shared<HttpSession<TlsStream>>(TlsStream(std::move(socket), *options.tls), *this);
      httpSessions.push_back(session);
      session->run();
    } else {
      auto session = std::make_shared<HttpSession<beast::tcp_stream>>(beast::tcp_stream(std::move(socket)), *this);
      httpSessions.push_back(session);
      session->run();
    }
    accept();
  });
}

Server::Server(asio::io_context& ioc, ServerOptions options, store::Store& store, const Clock& clock,
               const MediaFactory& makeMedia)
    : impl_(std::make_unique<Impl>(ioc, std::move(options), store, clock, makeMedia)) {}

Server::~Server() = default;

void Server::start() {
  tcp::resolver resolver(impl_->ioc);
  beast::error_code ec;
  auto results = resolver.resolve(impl_->options.listenHost, std::to_string(impl_->options.listenPort),
                                  tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || results.empty()) {
    throw std::runtime_error("cannot resolve listen address " + impl_->options.listenHost + ": " + ec.message());
  }
  tcp::endpoint endpoint = results.begin()->endpoint();
  auto& acceptor = impl_->acceptor;
  acceptor.open(endpoint.protocol());
  acceptor.set_option(asio::socket_base::reuse_address(true));
  acceptor.bind(endpoint, ec);
  if (ec) {
    throw std::runtime_error("cannot listen on " + impl_->options.listenHost + ":" +
                             std::to_string(impl_->options.listenPort) + ": " + ec.message());
  }
  acceptor.listen(asio::socket_base::max_listen_connections);
  impl_->accept();
  if (!impl_->options.metricsListenHost.empty()) {
    impl_->metricsListener = std::make_unique<MetricsListener>(impl_->ioc, impl_->metricsEndpoint);
    impl_->metricsListener->start(impl_->options.metricsListenHost, impl_->options.metricsListenPort);
  }
}

uint16_t Server::metricsPort() const {
  return impl_->metricsListener ? impl_->metricsListener->port() : 0;
}

uint16_t Server::port() const { return impl_->acceptor.local_endpoint().port(); }

bool Server::tls() const { return impl_->options.tls != nullptr; }

void Server::stop() {
  if (impl_->stopped) {
    return;
  }
  impl_->stopped = true;
  beast::error_code ignored;
  impl_->acceptor.close(ignored);
  if (impl_->metricsListener) {
    impl_->metricsListener->stop();
  }
  impl_->hub.closeAll();
  for (auto& weak : impl_->httpSessions) {
    if (auto session = weak.lock()) {
      session->shutdown();
    }
  }
  impl_->httpSessions.clear();
}

}  // namespace medrtc::signaling
