#pragma once
// The control plane's network face: HTTP/1.1 (REST, static web client) and the signaling
// WebSocket on one io_context thread. Beast stays inside server.cpp and
// websocket_session.cpp; this header exposes plain types.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "clinic/auth_service.hpp"
#include "common/clock.hpp"
#include "compliance/audit_sink.hpp"
#include "sfu/media_api.hpp"
#include "signaling/client_address.hpp"
#include "signaling/connection_limits.hpp"
#include "signaling/message/server_message.hpp"
#include "signaling/participant_limits.hpp"
#include "signaling/pending_joins.hpp"
#include "store/store.hpp"
#include "store/webhook_store.hpp"
#include "webhooks/target_policy.hpp"
#include "webhooks/webhook_sink.hpp"

namespace boost::asio {
class io_context;
namespace ssl {
class context;
}
}  // namespace boost::asio

namespace medrtc::signaling {

class QualityHistory;

struct ServerOptions {
  std::string listenHost = "127.0.0.1";
  uint16_t listenPort = 8080;  // 0: an ephemeral port (see Server::port())
  std::filesystem::path webRoot;
  bool dev = false;  // enables POST /api/v1/dev/rooms
  std::vector<uint8_t> tokenSecret;  // 32 bytes (data-dir/token.key)
  // docs/protocol.md: join within 10 s; a socket silent for 30 s is gone (clients ping
  // every 10 s). Tests shorten both.
  std::chrono::milliseconds joinTimeout{10'000};
  std::chrono::milliseconds idleTimeout{30'000};
  // How often the sign-in sessions behind the participants' host tokens are read again
  // (SignalingHub::recheckSessions): an erased or signed-out person is out of the call at
  // most this late. Tests shorten it.
  std::chrono::milliseconds sessionRecheckInterval{5'000};
  // HTTPS and WSS when set (tls/tls_context.hpp builds it); plain HTTP otherwise. With TLS
  // every response carries HSTS (RFC 6797).
  std::shared_ptr<boost::asio::ssl::context> tls;
  // CSP frame-ancestors source list (who may embed our pages); "'none'" also sends
  // X-Frame-Options: DENY for old browsers.
  std::string frameAncestors = "'none'";
  // Actions the policy profile refuses and that have no feature behind them. A non-empty
  // text (e.g. "policy kbv: rule recording.allowed=false") makes
  // /api/v1/rooms/{id}/recordings answer 403 naming the rule; empty: 501 (not built).
  std::string recordingRefusal;
  std::string transcriptionRefusal;
  // `joined.ice_servers` for a participant (TURN REST credentials); none when unset.
  IceServerProvider iceServers;
  // The node's profile prefers peer-to-peer for 1:1 (media.p2p_preferred_one_to_one): a
  // room of two P2P-capable participants carries its media browser to browser (docs/p2p.md).
  bool p2pPreferred = false;
  // The clinic workflow's audit trail (sign-in, appointments, admit, ...); none when null.
  // Not owned; outlives the server.
  compliance::AuditSink* audit = nullptr;
  // Sign-in limits and the policy profiles governing each tenant's staff (MFA, idle
  // logoff); app/security_setup.cpp fills `auth.profiles` from the node's --policy.
  clinic::AuthPolicy auth;
  // Caps on participants per room, tenant and node (serve --max-participants-per-*).
  ParticipantLimits participantLimits;
  // Connections held at once, in all and per peer address. At a limit the oldest
  // connection still waiting for its request is closed to make room, so /healthz and real
  // users get in while idle connections pile up (issue 10 item 5, docs/security.md).
  ConnectionLimits connectionLimits;
  // Peers whose X-Forwarded-For names the client (reverse proxies); none by default.
  // They are exempt from the per-address connection limit: everyone arrives through them.
  TrustedProxies trustedProxies;
  // Signaling sockets that have not sent `join` yet, per client address and in total
  // (total at most half of connectionLimits.maxTotal); at a cap the oldest is closed with
  // `too_many_unjoined` (docs/security.md "Limits").
  PendingJoinLimits pendingJoinLimits;
  // docs/operations.md: GET /metrics on this listener needs `Authorization: Bearer
  // <metricsToken>` (empty: 404 here); `metricsListenHost` non-empty also serves it
  // without authorization on a listener of its own (port 0: ephemeral).
  std::string metricsToken;
  // First-run setup (clinic/first_run_setup.hpp): the token /api/v1/setup/* accepts while
  // the store has no accounts; empty: setup closed.
  std::string setupToken;
  std::string metricsListenHost;
  uint16_t metricsListenPort = 0;
  // Webhooks (docs/operations.md): the control thread's connection for /api/v1/webhooks,
  // where the hub's events go (the dispatcher), and which target URLs are accepted. Not
  // owned; outlive the server. Null: the routes answer 404 and no event is sent. The
  // routes' store work runs on auth.storePool's webhook connections when it has them;
  // this connection then takes only what a full pool refuses (an undo, a recorded delete).
  store::WebhookStore* webhookStore = nullptr;
  webhooks::WebhookSink* webhooks = nullptr;
  webhooks::TargetPolicy webhookTargets;
  // Where call-quality samples go to be kept after a room ends (issue 15 item 6); null:
  // only the live rooms' in-memory charts. Not owned; outlives the server.
  QualityHistory* qualityHistory = nullptr;
};

// Builds the media plane given the poster onto the control thread and the events sink.
// The binary passes sfu::createMediaPlane; unit tests pass a fake.
using MediaFactory = std::function<std::unique_ptr<sfu::MediaApi>(sfu::ControlPoster, sfu::MediaEvents&)>;

class Server {
 public:
  // Everything runs on `ioc`, which the caller runs on one thread (the control thread).
  Server(boost::asio::io_context& ioc, ServerOptions options, store::Store& store, const Clock& clock,
         const MediaFactory& makeMedia);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts accepting. Throws std::runtime_error when the address cannot be bound.
  void start();
  // The bound port (after start()).
  uint16_t port() const;
  // The bound port of the --metrics-listen listener (0 when there is none).
  uint16_t metricsPort() const;
  // True when the listener speaks TLS (https/wss).
  bool tls() const;
  // Ends every live room (room_ended to each socket), closes sockets and stops
  // accepting. Call on the control thread; the io_context then runs out of work.
  void stop();
  // Graceful drain (first SIGTERM): /readyz answers 503 and no new call starts (the REST
  // routes that would start one answer 503, a join to an empty room is refused), while
  // running calls go on. Call stop() when liveRooms() reaches 0 or the drain times out.
  void drain();
  bool draining() const;
  // Rooms with someone in them (joined or waiting).
  size_t liveRooms() const;
  // A participant's call quality fell below the alert line: the quality_alert webhook
  // (SignalingHub::qualityAlert). Call on the control thread.
  void qualityAlert(const std::string& participantId, const webhooks::QualityFigures& figures);

  struct Impl;  // server.cpp (Beast)

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace medrtc::signaling
