#include "test_support.hpp"

#include <sys/socket.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <future>

#include "clinic/password.hpp"
#include "clinic/totp.hpp"
#include "common/random.hpp"
#include "compliance/audit_format.hpp"
#include "compliance/subject_keys.hpp"
#include "store/api_key.hpp"
#include "store/store_pool.hpp"

namespace medrtc::signaling::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace json = boost::json;
using tcp = asio::ip::tcp;

// ---- FakeMedia

void FakeMedia::record(std::string call) {
  std::lock_guard lock(mutex_);
  calls_.push_back(std::move(call));
}

std::vector<std::string> FakeMedia::calls() const {
  std::lock_guard lock(mutex_);
  return calls_;
}

bool FakeMedia::sawCall(const std::string& call) const {
  std::lock_guard lock(mutex_);
  return std::find(calls_.begin(), calls_.end(), call) != calls_.end();
}

std::optional<sfu::ReceiveCapabilities> FakeMedia::decodersOf(const std::string& participantId) const {
  std::lock_guard lock(mutex_);
  auto it = decoders_.find(participantId);
  return it == decoders_.end() ? std::nullopt : it->second;
}

void FakeMedia::openRoom(const std::string& roomId) { record("open " + roomId); }
void FakeMedia::closeRoom(const std::string& roomId) { record("close " + roomId); }

void FakeMedia::addParticipant(const std::string& roomId, const std::string& participantId,
                               sfu::ParticipantGrants grants, std::optional<sfu::ReceiveCapabilities> decoders,
                               Done<Ok> done) {
  {
    std::lock_guard lock(mutex_);
    decoders_[participantId] = std::move(decoders);
  }
  record("add " + roomId + " " + participantId);
  auto task = [done] { done(Ok{}); };
  if (holdAdds) {
    heldAdds_.push_back(task);
  } else {
    post_(task);
  }
}

void FakeMedia::releaseAdds() {
  for (auto& task : heldAdds_) {
    post_(task);
  }
  heldAdds_.clear();
}

void FakeMedia::removeParticipant(const std::string& roomId, const std::string& participantId) {
  record("remove " + roomId + " " + participantId);
}

void FakeMedia::openProbe(const std::string&, sfu::ProbeCandidates candidates, std::string offerSdp,
                          Done<std::string> done) {
  bool tcp = candidates == sfu::ProbeCandidates::kTcp;
  record(std::string("probe ") + (tcp ? "tcp" : "udp"));
  post_([done, offerSdp, refuseTcp = tcp && tcpOff.load()] {
    if (offerSdp.find("bad") != std::string::npos) {
      done(fail(sfu::MediaError::kSdpInvalid));
    } else if (refuseTcp) {
      done(fail(sfu::MediaError::kTransportOff));
    } else {
      done(std::string("probe-answer:") + offerSdp);
    }
  });
}

void FakeMedia::publish(const std::string& roomId, const std::string& participantId, std::string offerSdp,
                        Done<std::string> done) {
  record("publish " + roomId + " " + participantId);
  post_([done, offerSdp] {
    if (offerSdp.find("bad") != std::string::npos) {
      done(fail(sfu::MediaError::kSdpInvalid));
    } else if (offerSdp.find("forbidden") != std::string::npos) {
      done(fail(sfu::MediaError::kForbidden));
    } else {
      done(std::string("answer:") + offerSdp);
    }
  });
}

void FakeMedia::answerSubscription(const std::string& roomId, const std::string& participantId, uint32_t version,
                                   std::string answerSdp, Done<Ok> done) {
  record("answer " + roomId + " " + participantId + " " + std::to_string(version));
  bool current = offeredVersion_.count(participantId) && offeredVersion_[participantId] == version;
  post_([done, current] { current ? done(Ok{}) : done(fail(sfu::MediaError::kStaleVersion)); });
}

void FakeMedia::restartIce(const std::string& roomId, const std::string& participantId, std::string iceUfrag,
                           Done<sfu::IceRestart> done) {
  record("restart_ice " + roomId + " " + participantId + " " + iceUfrag);
  for (bool publisher : {true, false}) {
    std::string& current =
        iceUfrags_.try_emplace(participantId + (publisher ? "/pub" : "/sub"), iceUfragOf(participantId, publisher))
            .first->second;
    if (current == iceUfrag) {
      current += "r";
      sfu::IceRestart restart{publisher ? sfu::IceRestart::Connection::kPublisher
                                        : sfu::IceRestart::Connection::kSubscriber,
                              current, "pwd-" + current};
      post_([done, restart] { done(restart); });
      return;
    }
  }
  post_([done] { done(fail(sfu::MediaError::kTransportNotFound)); });
}

void FakeMedia::offer(const std::string& roomId, const std::string& participantId, uint32_t version,
                      std::string sdp) {
  offeredVersion_[participantId] = version;
  events_.onSubscribeOffer(roomId, participantId, version, std::move(sdp));
}

// ---- TestServer

TestServer::TestServer(TestServerOptions options)
    : dataDir_(options.dataDir.empty() ? std::filesystem::temp_directory_path() / ("medrtc-sig-" + randomHex(6))
                                       : options.dataDir),
      ownsDataDir_(options.dataDir.empty()) {
  std::filesystem::create_directories(dataDir_);
  // One subject key store for every sealed connection and the audit log, as in serve.
  keys_ = std::make_shared<compliance::FileSubjectKeyStore>(compliance::audit_files::subjectKeys(dataDir_));
  store_ = compliance::sealStore(std::make_unique<store::SqliteStore>(dataDir_ / "medrtc.db"), dataDir_, keys_, clock_);
  apiKey_ = store::generateApiKey();
  store::registerApiKey(*store_, apiKey_, "test", 1);
  std::vector<uint8_t> secret(kTokenSecretBytes, 7);
  signer_ = std::make_unique<JoinTokenSigner>(secret, clock_);
  ioc_ = std::make_unique<asio::io_context>();
  ServerOptions so;
  so.listenHost = "127.0.0.1";
  so.listenPort = 0;
  so.webRoot = options.webRoot;
  so.dev = options.dev;
  so.tokenSecret = secret;
  so.joinTimeout = options.joinTimeout;
  so.idleTimeout = options.idleTimeout;
  so.sessionRecheckInterval = options.sessionRecheckInterval;
  so.p2pPreferred = options.p2pPreferred;
  so.auth = options.auth;
  so.participantLimits = options.participantLimits;
  so.connectionLimits = options.connectionLimits;
  so.pendingJoinLimits = options.pendingJoinLimits;
  so.trustedProxies = TrustedProxies(options.trustedProxies);
  so.audit = &audit_;
  if (options.auditLog) {
    compliance::AuditLogOptions lo;
    lo.dataDir = dataDir_;
    lo.clock = &clock_;
    lo.syncEvents = options.auditSync;
    lo.subjectKeys = keys_;
    auditLog_ = compliance::AuditLog::open(lo);
    auditWriter_ = std::make_unique<compliance::AuditWriter>(
        *auditLog_, [this](std::function<void()> task) { asio::post(*ioc_, std::move(task)); });
    so.audit = auditWriter_.get();
  }
  if (options.storePool) {
    so.auth.storePool = std::make_shared<store::StorePool>(
        1, 64,
        [this] {
          // As serve.cpp: each pool thread has a webhook connection beside its store.
          return store::StorePool::Connections{
              std::unique_ptr<store::Store>(compliance::sealStore(
                  std::make_unique<store::SqliteStore>(dataDir_ / "medrtc.db"), dataDir_, keys_, clock_)),
              std::make_unique<store::SqliteWebhookStore>(dataDir_ / "medrtc.db")};
        },
        [this](std::function<void()> task) { asio::post(*ioc_, std::move(task)); });
  }
  so.metricsToken = options.metricsToken;
  so.recordingRefusal = options.recordingRefusal;
  so.iceServers = options.iceServers;
  so.setupToken = options.setupToken;
  so.metricsListenHost = options.metricsListener ? "127.0.0.1" : "";
  webhookStore_ = std::make_unique<store::SqliteWebhookStore>(dataDir_ / "medrtc.db");
  so.webhookStore = webhookStore_.get();
  so.webhooks = options.webhooks;
  so.webhookTargets = options.webhookTargets;
  so.qualityHistory = options.qualityHistory;
  server_ = std::make_unique<Server>(*ioc_, so, *store_, clock_,
                                     [this](sfu::ControlPoster post, sfu::MediaEvents& events) {
                                       auto m = std::make_unique<FakeMedia>(std::move(post), events);
                                       media_ = m.get();
                                       return m;
                                     });
  server_->start();
  port_ = server_->port();
  metricsPort_ = server_->metricsPort();
  thread_ = std::thread([this] { ioc_->run(); });
}

TestServer::~TestServer() {
  onControl([this] { server_->stop(); });
  thread_.join();
  if (auditWriter_) {
    auditWriter_->stop();
  }
  server_.reset();
  webhookStore_.reset();
  store_.reset();
  if (ownsDataDir_) {
    std::filesystem::remove_all(dataDir_);
  }
}

int64_t TestServer::wallSeconds() const {
  return std::chrono::duration_cast<std::chrono::seconds>(clock_.wallNow().time_since_epoch()).count();
}

std::string TestServer::addApiKey(const std::string& tenantId) {
  std::string key = store::generateApiKey();
  onControl([&] { store::registerApiKey(*store_, key, "test " + tenantId, 1, tenantId); });
  return key;
}

ClinicAccount TestServer::addAccount(const std::string& email, const std::string& role, bool totp,
                                     const std::string& tenantId, bool requireTotp, const std::string& displayName) {
  ClinicAccount a;
  a.email = email;
  a.password = "correct horse battery";
  if (totp) {
    a.totpSecret = clinic::newTotpSecret();
  }
  static const std::string hash = clinic::hashPassword("correct horse battery");
  onControl([&] {
    a.tenantId = tenantId;
    if (a.tenantId.empty()) {
      store::TenantRecord t;
      t.name = "Praxis " + randomHex(2);
      t.requireTotp = requireTotp;
      t.createdAt = 1;
      a.tenantId = store_->createTenant(t).id;
    }
    store::UserRecord u;
    u.tenantId = a.tenantId;
    u.email = email;
    u.displayName = displayName;
    u.role = role;
    u.passwordHash = hash;
    u.totpSecret = totp ? clinic::base32Encode(a.totpSecret) : "";
    u.createdAt = 1;
    a.userId = store_->createUser(u).id;
  });
  return a;
}

void RecordingAuditSink::record(compliance::AuditEvent event) {
  std::lock_guard lock(mutex_);
  events_.push_back(std::move(event));
}

std::vector<compliance::AuditEvent> RecordingAuditSink::events() const {
  std::lock_guard lock(mutex_);
  return events_;
}

size_t RecordingAuditSink::count(std::string_view what) const {
  std::lock_guard lock(mutex_);
  size_t n = 0;
  for (const auto& e : events_) {
    n += e.outcomeDesc.rfind(what, 0) == 0;
  }
  return n;
}

HttpResult ClinicClient::login(const std::string& email, const std::string& password, const std::string& totp) {
  json::object body{{"email", email}, {"password", password}};
  if (!totp.empty()) {
    body["totp"] = totp;
  }
  HttpResult r = httpRequest(port_, "POST", "/api/v1/auth/login", json::serialize(body));
  if (r.status == 200) {
    std::string setCookie = r.header("set-cookie");
    cookie_ = setCookie.substr(0, setCookie.find(';'));
    csrf_ = str(r.json().at("csrf_token"));
  }
  return r;
}

HttpResult ClinicClient::call(const std::string& method, const std::string& target, const std::string& body,
                              bool withCsrf) {
  Headers headers;
  if (!cookie_.empty()) {
    headers.emplace_back("Cookie", cookie_);
  }
  if (withCsrf && !csrf_.empty()) {
    headers.emplace_back("X-CSRF-Token", csrf_);
  }
  return httpRequest(port_, method, target, body, "", "application/json", headers);
}

void TestServer::onControl(const std::function<void()>& fn) {
  std::promise<void> done;
  asio::post(*ioc_, [&] {
    fn();
    done.set_value();
  });
  done.get_future().wait();
}

void TestServer::advanceClock(std::chrono::seconds d) {
  onControl([&] { clock_.advance(d); });
}

bool TestServer::eraseSubject(const std::string& subjectId) {
  bool erased = false;
  onControl([&] { erased = store_->eraseSubject(subjectId); });
  return erased;
}

void TestServer::drain() {
  onControl([&] { server_->drain(); });
}

size_t TestServer::liveRooms() {
  size_t n = 0;
  onControl([&] { n = server_->liveRooms(); });
  return n;
}

void TestServer::qualityAlert(const std::string& participantId, const webhooks::QualityFigures& figures) {
  onControl([&] { server_->qualityAlert(participantId, figures); });
}

std::string TestServer::createRoom() {
  auto r = httpRequest(port_, "POST", "/api/v1/rooms", "{}", apiKey_);
  return str(r.json().at("id"));
}

std::string TestServer::createToken(const std::string& roomId, const std::string& identity, const std::string& name,
                                    const std::string& role) {
  json::object body{{"identity", identity}, {"name", name}, {"role", role}};
  auto r = httpRequest(port_, "POST", "/api/v1/rooms/" + roomId + "/tokens", json::serialize(body), apiKey_);
  return str(r.json().at("token"));
}

// ---- HTTP

json::value HttpResult::json() const {
  boost::system::error_code ec;
  auto v = json::parse(body, ec);
  return ec ? json::value{} : v;
}

std::string HttpResult::header(const std::string& lowerName) const {
  auto it = headers.find(lowerName);
  return it == headers.end() ? "" : it->second;
}

HttpResult httpRequest(uint16_t port, const std::string& method, const std::string& target, const std::string& body,
                       const std::string& apiKey, const std::string& contentType, const Headers& headers) {
  asio::io_context ioc;
  beast::tcp_stream stream(ioc);
  stream.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  http::request<http::string_body> req(http::string_to_verb(method), target, 11);
  req.set(http::field::host, "127.0.0.1");
  if (!apiKey.empty()) {
    req.set(http::field::authorization, "Bearer " + apiKey);
  }
  for (const auto& [name, value] : headers) {
    req.set(name, value);
  }
  if (!body.empty()) {
    req.set(http::field::content_type, contentType);
    req.body() = body;
  }
  req.prepare_payload();
  http::write(stream, req);
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(16 * 1024 * 1024);
  parser.skip(method == "HEAD");
  beast::error_code ec;
  http::read(stream, buffer, parser, ec);
  HttpResult result;
  if (ec) {
    return result;
  }
  auto& res = parser.get();
  result.status = res.result_int();
  for (auto& field : res) {
    std::string name(field.name_string());
    for (auto& c : name) {
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    if (name == "set-cookie") {
      // Several cookies (session and device): header() gives the first, as a browser
      // client reading one would.
      result.setCookies.emplace_back(field.value());
      result.headers.emplace(name, std::string(field.value()));
      continue;
    }
    result.headers[name] = std::string(field.value());
  }
  result.body = res.body();
  return result;
}

int rawHttpStatus(uint16_t port, const std::string& requestLine) {
  asio::io_context ioc;
  tcp::socket socket(ioc);
  socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  std::string request = requestLine + "\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
  asio::write(socket, asio::buffer(request));
  std::string response;
  beast::error_code ec;
  char buf[4096];
  for (;;) {
    size_t n = socket.read_some(asio::buffer(buf), ec);
    response.append(buf, n);
    if (ec || response.find("\r\n") != std::string::npos) {
      break;
    }
  }
  // "HTTP/1.1 404 Not Found"
  if (response.size() < 12) {
    return 0;
  }
  return std::stoi(response.substr(9, 3));
}

// ---- WebSocket

struct WsClient::Impl {
  asio::io_context ioc;
  websocket::stream<tcp::socket> ws{ioc};
  beast::flat_buffer buffer;
};

WsClient::WsClient(uint16_t port) : impl_(std::make_unique<Impl>()) {
  auto& sock = impl_->ws.next_layer();
  sock.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  // A safety net: a read that waits this long fails the test rather than hanging it.
  timeval tv{5, 0};
  ::setsockopt(sock.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  impl_->ws.read_message_max(0);
  impl_->ws.handshake("127.0.0.1", "/api/v1/ws");
}

WsClient::~WsClient() {
  beast::error_code ec;
  if (impl_->ws.is_open()) {
    impl_->ws.next_layer().close(ec);
  }
}

void WsClient::send(const std::string& text) {
  beast::error_code ec;
  impl_->ws.text(true);
  impl_->ws.write(asio::buffer(text), ec);
}

std::optional<std::string> WsClient::read() {
  beast::error_code ec;
  impl_->buffer.consume(impl_->buffer.size());
  impl_->ws.read(impl_->buffer, ec);
  if (ec) {
    // The server's close frame arrived (its code is kept) also when the server then cut
    // the connection without waiting for our reply, as it does to a displaced socket.
    if (ec == websocket::error::closed || impl_->ws.reason().code != websocket::close_code::none) {
      closeCode_ = static_cast<uint16_t>(impl_->ws.reason().code);
    }
    return std::nullopt;
  }
  return beast::buffers_to_string(impl_->buffer.data());
}

json::object WsClient::readJson() {
  auto text = read();
  if (!text) {
    return {};
  }
  boost::system::error_code ec;
  auto v = json::parse(*text, ec);
  return (!ec && v.is_object()) ? v.get_object() : json::object{};
}

json::object WsClient::readUntil(const std::string& type) {
  for (int i = 0; i < 50; ++i) {
    json::object o = readJson();
    if (o.empty()) {
      return o;
    }
    if (o.contains("type") && o.at("type") == type.c_str()) {
      return o;
    }
  }
  return {};
}

json::object WsClient::join(const std::string& token) {
  sendJson({{"type", "join"}, {"token", token}});
  return readJson();
}

bool WsClient::pingPongIsNext() {
  send(R"({"type":"ping"})");
  json::object o = readJson();
  return o.contains("type") && o.at("type") == "pong";
}

void WsClient::dropTcp() {
  beast::error_code ec;
  impl_->ws.next_layer().close(ec);
}

std::string str(const json::value& v) { return v.is_string() ? std::string(v.get_string()) : std::string(); }

}  // namespace medrtc::signaling::testing
