#pragma once
// In-process server with a fake media plane, and small blocking HTTP/WebSocket clients.
// Beast is compiled only in test_support.cpp; tests see plain types.
#include <atomic>
#include <boost/json.hpp>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.hpp"
#include "compliance/audit_log.hpp"
#include "compliance/audit_sink.hpp"
#include "compliance/audit_writer.hpp"
#include "sfu/media_api.hpp"
#include "signaling/join_token.hpp"
#include "signaling/server.hpp"
#include "compliance/store_sealing.hpp"
#include "store/sqlite_store.hpp"
#include "store/sqlite_webhook_store.hpp"

namespace medrtc::signaling::testing {

// Stands in for the media plane; runs on the control thread like the real one, and
// completes every request through the control poster (asynchronously, like the real one).
class FakeMedia final : public sfu::MediaApi {
 public:
  FakeMedia(sfu::ControlPoster post, sfu::MediaEvents& events) : post_(std::move(post)), events_(events) {}

  void openRoom(const std::string& roomId) override;
  void closeRoom(const std::string& roomId) override;
  // Keeps the announced decoders (decodersOf).
  void addParticipant(const std::string& roomId, const std::string& participantId, sfu::ParticipantGrants grants,
                      std::optional<sfu::ReceiveCapabilities> decoders, Done<Ok> done) override;
  void removeParticipant(const std::string& roomId, const std::string& participantId) override;
  // SDP containing "bad" → kSdpInvalid, "forbidden" → kForbidden; else answers "answer:<offer>".
  void publish(const std::string& roomId, const std::string& participantId, std::string offerSdp,
               Done<std::string> done) override;
  // Each participant's transports start with ufrags iceUfragOf(pid, publisher); a restart
  // of the current one appends "r"; any other ufrag → kTransportNotFound.
  void restartIce(const std::string& roomId, const std::string& participantId, std::string iceUfrag,
                  Done<sfu::IceRestart> done) override;
  static std::string iceUfragOf(const std::string& participantId, bool publisher) {
    return (publisher ? "pub-" : "sub-") + participantId;
  }
  // A version other than the last one offered to that participant → kStaleVersion.
  void answerSubscription(const std::string& roomId, const std::string& participantId, uint32_t version,
                          std::string answerSdp, Done<Ok> done) override;

  // Records "probe udp|tcp"; an offer containing "bad" → kSdpInvalid; a tcp probe while
  // tcpOff → kTransportOff; else answers "probe-answer:<offer>".
  void openProbe(const std::string& probeId, sfu::ProbeCandidates candidates, std::string offerSdp,
                 Done<std::string> done) override;
  std::atomic<bool> tcpOff{false};

  // Control thread only.
  sfu::MediaEvents& events() { return events_; }
  void offer(const std::string& roomId, const std::string& participantId, uint32_t version, std::string sdp);
  bool holdAdds = false;  // keep addParticipant pending until releaseAdds()
  void releaseAdds();

  // Any thread.
  std::vector<std::string> calls() const;  // "remove r_x p_y", "close r_x", ...
  bool sawCall(const std::string& call) const;
  // What the last addParticipant of `participantId` was given as its decoders.
  std::optional<sfu::ReceiveCapabilities> decodersOf(const std::string& participantId) const;

 private:
  void record(std::string call);

  sfu::ControlPoster post_;
  sfu::MediaEvents& events_;
  std::map<std::string, uint32_t> offeredVersion_;
  std::map<std::string, std::string> iceUfrags_;  // "<pid>/pub" or "<pid>/sub" → current ufrag
  std::vector<std::function<void()>> heldAdds_;
  std::map<std::string, std::optional<sfu::ReceiveCapabilities>> decoders_;  // guarded by mutex_
  mutable std::mutex mutex_;
  std::vector<std::string> calls_;
};

struct TestServerOptions {
  bool dev = false;
  std::chrono::milliseconds joinTimeout{10'000};
  std::chrono::milliseconds idleTimeout{30'000};
  // ServerOptions::sessionRecheckInterval.
  std::chrono::milliseconds sessionRecheckInterval{5'000};
  std::filesystem::path webRoot;
  // Reuse this data dir (and keep it afterwards): a restart is a second TestServer on it.
  std::filesystem::path dataDir;
  // ServerOptions::p2pPreferred (a node whose profile prefers P2P for 1:1).
  bool p2pPreferred = false;
  // ServerOptions::auth (sign-in limits and the profiles governing each tenant).
  clinic::AuthPolicy auth;
  // ServerOptions::participantLimits.
  ParticipantLimits participantLimits;
  // ServerOptions::connectionLimits and pendingJoinLimits.
  ConnectionLimits connectionLimits;
  PendingJoinLimits pendingJoinLimits;
  // ServerOptions::trustedProxies (reverse proxies whose X-Forwarded-For is believed).
  std::vector<std::string> trustedProxies;
  // ServerOptions::metricsToken; and a --metrics-listen listener on 127.0.0.1:0.
  std::string metricsToken;
  bool metricsListener = false;
  // ServerOptions::recordingRefusal and iceServers.
  std::string recordingRefusal;
  IceServerProvider iceServers;
  // ServerOptions::setupToken (first-run setup; empty: closed).
  std::string setupToken;
  // ServerOptions::webhooks (where the hub's events go) and webhookTargets; the REST routes
  // always get a webhook store on the server's database.
  webhooks::WebhookSink* webhooks = nullptr;
  webhooks::TargetPolicy webhookTargets;
  // A real audit log (<dataDir>/audit) behind the AuditWriter thread, as in serve, instead
  // of the recording sink; `auditSync` makes its events durable (a slow or failing disk).
  bool auditLog = false;
  std::function<int(int)> auditSync;
  // Sign-in's store calls on a store pool with its own SQLite connection, as in serve.
  bool storePool = false;
  // ServerOptions::qualityHistory (where call-quality samples go to be kept).
  QualityHistory* qualityHistory = nullptr;
};

// Records audit events from the control thread; read them from the test thread.
class RecordingAuditSink final : public compliance::AuditSink {
 public:
  void record(compliance::AuditEvent event) override;
  std::vector<compliance::AuditEvent> events() const;
  // Events whose outcomeDesc starts with `what`.
  size_t count(std::string_view what) const;

 private:
  mutable std::mutex mutex_;
  std::vector<compliance::AuditEvent> events_;
};

// A tenant and a practitioner made directly in the store (as `medrtc admin` would).
struct ClinicAccount {
  std::string tenantId;
  std::string userId;
  std::string email;
  std::string password;
  std::vector<uint8_t> totpSecret;  // empty: no TOTP
};

// A medrtc control plane on 127.0.0.1:0 with its own io_context thread, temp data dir,
// ManualClock and one registered API key.
class TestServer {
 public:
  explicit TestServer(TestServerOptions options = {});
  ~TestServer();

  uint16_t port() const { return port_; }
  uint16_t metricsPort() const { return metricsPort_; }
  const std::string& apiKey() const { return apiKey_; }
  // Runs `fn` on the control thread and waits for it.
  void onControl(const std::function<void()>& fn);
  FakeMedia& media() { return *media_; }
  // Shares the server's secret and clock (use on the control thread, or while idle).
  JoinTokenSigner& signer() { return *signer_; }
  void advanceClock(std::chrono::seconds d);
  int64_t wallSeconds() const;
  RecordingAuditSink& audit() { return audit_; }
  // Creates a tenant (unless `tenantId` is given) and a user with `role` in the store.
  ClinicAccount addAccount(const std::string& email, const std::string& role = "practitioner", bool totp = false,
                           const std::string& tenantId = "", bool requireTotp = false,
                           const std::string& displayName = "Dr. Test");
  // Registers another API key for `tenantId` ("" : a node-operator key) and returns it.
  std::string addApiKey(const std::string& tenantId);
  // The server's store, for use inside onControl (state changed behind the API's back,
  // as another node or an operator tool would).
  store::Store& store() { return *store_; }
  const std::filesystem::path& dataDir() const { return dataDir_; }
  // `medrtc admin erase-subject` (on the control thread).
  bool eraseSubject(const std::string& subjectId);
  // Server::drain() and Server::liveRooms() (on the control thread).
  void drain();
  size_t liveRooms();
  // Server::qualityAlert (on the control thread).
  void qualityAlert(const std::string& participantId, const webhooks::QualityFigures& figures);

  // REST helpers.
  std::string createRoom();
  std::string createToken(const std::string& roomId, const std::string& identity, const std::string& name,
                          const std::string& role = "guest");

 private:
  std::filesystem::path dataDir_;
  bool ownsDataDir_ = true;
  ManualClock clock_;
  RecordingAuditSink audit_;
  std::shared_ptr<compliance::SubjectKeyStore> keys_;
  std::unique_ptr<compliance::AuditLog> auditLog_;
  std::unique_ptr<compliance::AuditWriter> auditWriter_;
  std::unique_ptr<compliance::SealedStore> store_;  // sealed as in serve
  std::unique_ptr<store::WebhookStore> webhookStore_;
  std::unique_ptr<JoinTokenSigner> signer_;
  std::unique_ptr<boost::asio::io_context> ioc_;
  std::unique_ptr<Server> server_;
  FakeMedia* media_ = nullptr;
  std::thread thread_;
  uint16_t port_ = 0;
  uint16_t metricsPort_ = 0;
  std::string apiKey_;
};

struct HttpResult {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::vector<std::string> setCookies;         // every Set-Cookie, in order
  std::string body;
  boost::json::value json() const;
  std::string header(const std::string& lowerName) const;
};

using Headers = std::vector<std::pair<std::string, std::string>>;
HttpResult httpRequest(uint16_t port, const std::string& method, const std::string& target,
                       const std::string& body = "", const std::string& apiKey = "",
                       const std::string& contentType = "application/json", const Headers& headers = {});

// A browser-like client of the clinic API: keeps the session cookie and the CSRF token.
class ClinicClient {
 public:
  explicit ClinicClient(uint16_t port) : port_(port) {}
  // POST /api/v1/auth/login; on 200 keeps cookie and csrf_token.
  HttpResult login(const std::string& email, const std::string& password, const std::string& totp = "");
  // With the cookie, and X-CSRF-Token unless `withCsrf` is false.
  HttpResult call(const std::string& method, const std::string& target, const std::string& body = "",
                  bool withCsrf = true);
  const std::string& cookie() const { return cookie_; }
  const std::string& csrf() const { return csrf_; }
  void setCookie(std::string cookie) { cookie_ = std::move(cookie); }

 private:
  uint16_t port_;
  std::string cookie_;  // "medrtc_session=..."
  std::string csrf_;
};
// Sends bytes as they are (no client-side normalisation) and returns the status code.
int rawHttpStatus(uint16_t port, const std::string& requestLine);

// A blocking WebSocket client. Reads give up after a few seconds so a broken test
// fails instead of hanging.
class WsClient {
 public:
  explicit WsClient(uint16_t port);
  ~WsClient();

  void send(const std::string& text);
  void sendJson(const boost::json::object& o) { send(boost::json::serialize(o)); }
  // The next text frame; nullopt when the server closed the socket (see closeCode()) or
  // nothing came in time.
  std::optional<std::string> read();
  // The next frame parsed as an object ({} when there is none).
  boost::json::object readJson();
  // Reads frames until one of `type` arrives (others are skipped); {} on close/timeout.
  boost::json::object readUntil(const std::string& type);
  // The close code the server sent, once read() returned nullopt because of it.
  std::optional<uint16_t> closeCode() const { return closeCode_; }
  // Joins and returns the `joined` message (or the error).
  boost::json::object join(const std::string& token);
  // True if ping is answered by pong as the very next frame: nothing else was pending.
  bool pingPongIsNext();
  // Closes the TCP connection without a WebSocket close frame (a vanished client).
  void dropTcp();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::optional<uint16_t> closeCode_;
};

std::string str(const boost::json::value& v);

}  // namespace medrtc::signaling::testing
