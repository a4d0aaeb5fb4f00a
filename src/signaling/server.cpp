#include "signaling/server.hpp"
#include "log/log.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <cerrno>
#include <list>
#include <optional>

#include "common/ip_prefix.hpp"
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

// Server::Impl keeps every live HTTP session to close them at stop(), and to close the
// oldest one still waiting for a request when a connection limit is reached.
class HttpSessionBase {
 public:
  virtual ~HttpSessionBase() = default;
  virtual void shutdown() = 0;
  // Waiting for a request (or the TLS handshake): nothing is lost by closing it.
  virtual bool awaitingRequest() const = 0;
  // The key its per-address limit counts under (the address; an IPv6 /64).
  virtual const std::string& limitKey() const = 0;
  // Gives the connection's slot back at once (the socket closes; its handlers run later).
  virtual void evict() = 0;
};

namespace {

// argon2id off the control thread (issue 10 item 7): two at once bound the memory
// (2 x 64 MiB); 64 waiting is ~2 s of work, beyond which a sign-in is told to retry.
constexpr size_t kPasswordThreads = 2;
constexpr size_t kPasswordQueue = 64;
// Summaries of repeated refusals are written at most this long after their window ends.
constexpr auto kRefusalFlushInterval = std::chrono::seconds(10);
// How often participants whose socket dropped are checked for the end of their resume
// grace (SignalingHub::kResumeGrace, 30 s): a leave is announced at most this late.
constexpr auto kResumeGraceCheckInterval = std::chrono::seconds(1);

// The shared pieces the REST API's sign-in needs from the server, set into the options
// before RestApi is built from them.
// `audit`: where the refusal summaries go (the timed sink, so /metrics sees their latency).
ServerOptions withSharedAuth(ServerOptions options, asio::io_context& ioc, const Clock& clock,
                             compliance::AuditSink* audit, std::shared_ptr<clinic::RefusalAudit>& refusals,
                             std::shared_ptr<clinic::PasswordWorkers>& workers) {
  refusals = std::make_shared<clinic::RefusalAudit>(audit, clock);
  workers = std::make_shared<clinic::PasswordWorkers>(
      kPasswordThreads, kPasswordQueue, [&ioc](std::function<void()> task) { asio::post(ioc, std::move(task)); });
  options.auth.refusals = refusals;
  options.auth.passwordWorkers = workers;
  return options;
}

}  // namespace

struct Server::Impl {
  Impl(asio::io_context& ioc, ServerOptions opts, store::Store& store, const Clock& clock, const MediaFactory& make)
      : ioc(ioc),
        timedAudit(opts.audit != nullptr ? std::make_unique<TimedAuditSink>(*opts.audit) : nullptr),
        options(withSharedAuth(std::move(opts), ioc, clock, timedAudit.get(), refusals, passwordWorkers)),
        signer(options.tokenSecret, clock),
        hub(store, signer, clock),
        media(make([&ioc](std::function<void()> task) { asio::post(ioc, std::move(task)); }, hub)),
        rest(store, signer, hub, clock, options.dev, timedAudit.get(), options.tokenSecret, options.auth),
        files(options.webRoot),
        acceptor(ioc),
        contentSecurityPolicy(std::string(kContentSecurityPolicy) + options.frameAncestors) {
    hub.setMedia(media.get());
    hub.setAudit(timedAudit.get());
    // K12: the profiles that decide whether interpreters and carers wait for the host.
    hub.setTenantProfiles(options.auth.profiles);
    hub.setRefusalAudit(refusals.get());
    rest.setMetrics(&metricsEndpoint);
    rest.setConnectivityProbes(media.get(), options.iceServers);
    if (!options.setupToken.empty()) {
      rest.armSetup(options.setupToken);
    }
    rest.setWebhooks(options.webhookStore, options.webhookTargets);
    hub.setWebhooks(options.webhooks);
    hub.setQualityHistory(options.qualityHistory);
    hub.setIceServers(options.iceServers);
    hub.setP2pPreferred(options.p2pPreferred);
    hub.setParticipantLimits(options.participantLimits);
    // Sockets that have not joined stay a minority of the connections (at most half).
    PendingJoinLimits pending = options.pendingJoinLimits;
    pending.total = std::min(pending.total, std::max<size_t>(options.connectionLimits.maxTotal / 2, 1));
    hub.setPendingJoinLimits(pending);
    hub.setAppointmentGrace(clinic::AppointmentPolicy{}.invitationGraceSeconds);
    hub.setStorePool(options.auth.storePool.get());
  }

  void accept();
  void scheduleRefusalFlush();
  void scheduleGraceCheck();
  void scheduleSessionRecheck();
  void onAcceptError(const beast::error_code& ec);
  // Counts the new connection, closing an idle one when a limit is reached; false when
  // there is no room even so (the caller drops the socket).
  bool makeRoomFor(const std::string& peer, ConnectionTable::Slot& slot);
  bool evictOldestIdle(const std::string* address);  // a limit key, or any with null
  // `remoteAddress`: the peer's IP (rate limits, audit); `secure`: arrived over TLS.
  HttpResponse respond(const http::request<http::string_body>& req, const std::string& remoteAddress, bool secure);
  HttpResponse refusePolicyGated(const std::string& action) const;

  asio::io_context& ioc;
  // options.audit, timed for /metrics. Declared first: `refusals` writes into it until its
  // own destructor (the last summaries), so it must outlive `refusals`.
  std::unique_ptr<TimedAuditSink> timedAudit;
  // Declared before `options`, which withSharedAuth fills from them.
  std::shared_ptr<clinic::RefusalAudit> refusals;
  std::shared_ptr<clinic::PasswordWorkers> passwordWorkers;
  ServerOptions options;
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
  ConnectionTable connections{options.connectionLimits};
  asio::steady_timer acceptRetry{ioc};
  asio::steady_timer refusalFlush{ioc};
  asio::steady_timer graceCheck{ioc};
  asio::steady_timer sessionRecheck{ioc};
  AcceptBackoff acceptBackoff;
  LogThrottle acceptLog;
  LogThrottle refusedLog;
  bool stopped = false;
};

// Stream: beast::tcp_stream (http://) or TlsStream (https://).
template <class Stream>
class HttpSession : public HttpSessionBase, public std::enable_shared_from_this<HttpSession<Stream>> {
 public:
  HttpSession(Stream stream, Server::Impl& server, std::string peer, ConnectionTable::Slot slot)
      : stream_(std::move(stream)), server_(server), peer_(std::move(peer)), slot_(std::move(slot)) {}

  void run() {
    if constexpr (kIsTls<Stream>) {
      beast::get_lowest_layer(stream_).expires_after(kHttpReadTimeout);
      stream_.async_handshake(asio::ssl::stream_base::server,
                              [self = this->shared_from_this()](beast::error_code ec) {
                                if (ec) {
                                  // Includes a ClientHello below the minimum version.
                                  log::debug("tls_handshake_failed", {{"error", ec.message()}});
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
  bool awaitingRequest() const override { return awaitingRequest_; }
  const std::string& limitKey() const override { return slot_.address(); }
  void evict() override {
    awaitingRequest_ = false;
    slot_.release();
    beast::get_lowest_layer(stream_).close();
  }

 private:
  void readRequest() {
    awaitingRequest_ = true;
    parser_.emplace();
    parser_->body_limit(kMaxRequestBodyBytes);
    parser_->header_limit(kMaxHeaderBytes);
    beast::get_lowest_layer(stream_).expires_after(kHttpReadTimeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&HttpSession::onRead, this->shared_from_this()));
  }

  void onRead(beast::error_code ec, size_t) {
    awaitingRequest_ = false;
    if (ec == http::error::body_limit) {
      HttpResponse r = problem(413, "payload_too_large", "request bodies are limited to 64 KiB");
      write(r, 11, false, false);
      return;
    }
    if (ec == http::error::header_limit) {
      // Say why instead of dropping the connection, so a client (or a proxy adding
      // headers) sees the limit rather than a reset it cannot tell from a crash.
      HttpResponse r = problem(431, "headers_too_large", "request headers are limited to 16 KiB");
      write(r, 11, false, false);
      return;
    }
    if (ec) {
      beast::get_lowest_layer(stream_).close();
      return;
    }
    auto& req = parser_->get();
    std::string path = targetPath(std::string(req.target()));
    std::string forwardedFor;
    for (auto [it, end] = req.equal_range("X-Forwarded-For"); it != end; ++it) {
      forwardedFor += (forwardedFor.empty() ? "" : ",") + std::string(it->value());
    }
    std::string remoteAddress = server_.options.trustedProxies.clientAddress(peer_, forwardedFor);
    if (beast::websocket::is_upgrade(req) && path == kWebSocketPath && !server_.stopped) {
      WebSocketTimeouts timeouts{server_.options.joinTimeout, server_.options.idleTimeout};
      // The cap on sockets that have not joined counts per client: behind a trusted proxy
      // the one it names, and nobody in particular when it names none (as makeRoomFor).
      bool unnamed = server_.options.trustedProxies.trusts(peer_) && remoteAddress == peer_;
      std::string limitKey = unnamed ? "" : limitSourceKey(remoteAddress);
      if constexpr (kIsTls<Stream>) {
        // wss: the WebSocket keeps this TLS session.
        auto ws = std::make_shared<TlsWebSocketSession>(std::move(stream_), server_.hub, timeouts);
        ws->hold(std::make_shared<ConnectionTable::Slot>(std::move(slot_)), std::move(limitKey));
        ws->run(parser_->release());
      } else {
        auto ws = std::make_shared<WebSocketSession>(beast::tcp_stream(stream_.release_socket()), server_.hub,
                                                     timeouts);
        ws->hold(std::make_shared<ConnectionTable::Slot>(std::move(slot_)), std::move(limitKey));
        ws->run(parser_->release());
      }
      return;
    }
    bool head = req.method() == http::verb::head;
    HttpResponse response = server_.respond(req, remoteAddress, kIsTls<Stream>);
    if (response.deferred) {
      // The answer comes later (a password hash on the worker pool); the session waits.
      response.deferred([self = this->shared_from_this(), version = req.version(), keepAlive = req.keep_alive(),
                         head](const HttpResponse& later) { self->write(later, version, keepAlive, head); });
      return;
    }
    write(response, req.version(), req.keep_alive(), head);
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
      // Each cookie needs a Set-Cookie of its own (RFC 6265 §3: never folded into one);
      // sign-in sets the session and the device cookie.
      if (boost::beast::iequals(name, "Set-Cookie")) {
        res->insert(name, value);
      } else {
        res->set(name, value);
      }
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
  std::string peer_;
  ConnectionTable::Slot slot_;
  bool awaitingRequest_ = true;
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
    if (ec == asio::error::operation_aborted || stopped) {
      return;
    }
    if (ec) {
      onAcceptError(ec);
      return;
    }
    acceptBackoff.succeeded();
    httpSessions.remove_if([](const std::weak_ptr<HttpSessionBase>& w) { return w.expired(); });
    beast::error_code endpointError;
    auto remote = socket.remote_endpoint(endpointError);
    std::string peer = endpointError ? "" : remote.address().to_string();
    ConnectionTable::Slot slot;
    if (!endpointError && makeRoomFor(peer, slot)) {
      if (options.tls) {
        auto session = std::make_shared<HttpSession<TlsStream>>(TlsStream(std::move(socket), *options.tls), *this,
                                                                std::move(peer), std::move(slot));
        httpSessions.push_back(session);
        session->run();
      } else {
        auto session = std::make_shared<HttpSession<beast::tcp_stream>>(beast::tcp_stream(std::move(socket)), *this,
                                                                        std::move(peer), std::move(slot));
        httpSessions.push_back(session);
        session->run();
      }
    }
    accept();
  });
}

void Server::Impl::onAcceptError(const beast::error_code& ec) {
  // Out of descriptors (or kernel memory): the connection stays in the backlog and an
  // immediate retry fails the same way, which spun at 100 % CPU and logged ~80 MB/s.
  // Close an idle connection to free a descriptor, and pause before trying again.
  bool systemWide = ec.category() == boost::system::system_category() && ec.value() == ENFILE;
  bool exhausted = ec == asio::error::no_descriptors || systemWide || ec == asio::error::no_buffer_space ||
                   ec == asio::error::no_memory;
  std::chrono::milliseconds delay{0};
  if (exhausted) {
    delay = evictOldestIdle(nullptr) ? std::chrono::milliseconds(1) : acceptBackoff.failed();
  }
  uint64_t suppressed = 0;
  if (acceptLog.allow(std::chrono::steady_clock::now(), suppressed)) {
    log::warn("accept_failed", {{"error", ec.message()}, {"retry_in_ms", delay.count()},
                                {"connections", connections.total()}, {"suppressed", suppressed}});
  }
  acceptRetry.expires_after(delay);
  acceptRetry.async_wait([this](beast::error_code waitError) {
    if (!waitError && !stopped) {
      accept();
    }
  });
}

bool Server::Impl::makeRoomFor(const std::string& peer, ConnectionTable::Slot& slot) {
  // Everyone behind a reverse proxy shares its address: only the total limits it. An IPv6
  // client has a whole /64 to pick source addresses from: that is what counts as one.
  bool perAddress = !options.trustedProxies.trusts(peer);
  std::string key = limitSourceKey(peer);
  if (perAddress && connections.fullFor(key)) {
    evictOldestIdle(&key);
  }
  if (connections.fullInTotal()) {
    evictOldestIdle(nullptr);
  }
  if ((perAddress && connections.fullFor(key)) || connections.fullInTotal()) {
    uint64_t suppressed = 0;
    if (refusedLog.allow(std::chrono::steady_clock::now(), suppressed)) {
      log::warn("connection_refused", {{"reason", "connection_limit"}, {"connections", connections.total()},
                                       {"suppressed", suppressed}});
    }
    return false;
  }
  slot = connections.take(key);
  return true;
}

// The oldest session (of the limit key `address`, when given) that waits for a request. Sessions are
// listed in accept order, so the front is the longest idle: a slow-loris attacker's first.
bool Server::Impl::evictOldestIdle(const std::string* address) {
  for (auto it = httpSessions.begin(); it != httpSessions.end();) {
    auto session = it->lock();
    if (!session) {
      it = httpSessions.erase(it);
      continue;
    }
    if (session->awaitingRequest() && (address == nullptr || session->limitKey() == *address)) {
      session->evict();
      httpSessions.erase(it);
      return true;
    }
    ++it;
  }
  return false;
}

void Server::Impl::scheduleGraceCheck() {
  graceCheck.expires_after(kResumeGraceCheckInterval);
  graceCheck.async_wait([this](beast::error_code ec) {
    if (ec || stopped) {
      return;
    }
    hub.expireGrace();
    scheduleGraceCheck();
  });
}

void Server::Impl::scheduleSessionRecheck() {
  sessionRecheck.expires_after(options.sessionRecheckInterval);
  sessionRecheck.async_wait([this](beast::error_code ec) {
    if (ec || stopped) {
      return;
    }
    hub.recheckSessions();
    scheduleSessionRecheck();
  });
}

void Server::Impl::scheduleRefusalFlush() {
  refusalFlush.expires_after(kRefusalFlushInterval);
  refusalFlush.async_wait([this](beast::error_code ec) {
    if (ec || stopped) {
      return;
    }
    refusals->flush();
    scheduleRefusalFlush();
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
  impl_->scheduleRefusalFlush();
  impl_->scheduleGraceCheck();
  impl_->scheduleSessionRecheck();
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

void Server::drain() { impl_->hub.startDraining(); }

bool Server::draining() const { return impl_->hub.draining(); }

size_t Server::liveRooms() const { return impl_->hub.liveRoomCount(); }

void Server::stop() {
  if (impl_->stopped) {
    return;
  }
  impl_->stopped = true;
  beast::error_code ignored;
  impl_->acceptor.close(ignored);
  impl_->acceptRetry.cancel();
  impl_->refusalFlush.cancel();
  impl_->graceCheck.cancel();
  impl_->sessionRecheck.cancel();
  // Hashes already running finish and post their answers (to closed sockets); queued ones
  // are dropped. Then every summary of repeated refusals is written.
  impl_->passwordWorkers->stop();
  impl_->refusals->flush(true);
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

void Server::qualityAlert(const std::string& participantId, const webhooks::QualityFigures& figures) {
  impl_->hub.qualityAlert(participantId, figures);
}

}  // namespace medrtc::signaling
