#pragma once
// A SignalingHub driven without TCP: a throw-away SQLite store, a manual clock, the fake
// media plane whose completions queue until drain(), and one room. What the hub tests that
// speak to the hub through fake sockets share (join_leave_audit_test, message_budget_test,
// hub_admission_test, e2ee_relay_test, guest_revocation_test).
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/random.hpp"
#include "signaling/signaling_hub.hpp"
#include "store/sqlite_store.hpp"
#include "test_support.hpp"

namespace medrtc::signaling::testing {

struct HubHarness {
  explicit HubHarness(compliance::AuditSink& audit, bool waitingRoom = false) : HubHarness(&audit, waitingRoom) {}
  // `audit` null: the hub records nothing (tests about something else, e.g. the E2EE relays).
  explicit HubHarness(compliance::AuditSink* audit = nullptr, bool waitingRoom = false)
      : dir(std::filesystem::temp_directory_path() / ("medrtc-hub-" + randomHex(6))),
        secret(kTokenSecretBytes, 7),
        signer(secret, clock) {
    std::filesystem::create_directories(dir);
    store = std::make_unique<store::SqliteStore>(dir / "medrtc.db");
    hub = std::make_unique<SignalingHub>(*store, signer, clock);
    media = std::make_unique<FakeMedia>([this](std::function<void()> task) { posted.push_back(std::move(task)); },
                                        *hub);
    hub->setMedia(media.get());
    if (audit != nullptr) {
      hub->setAudit(audit);
    }
    room = store->createRoom(store::NewRoom{.name = "", .waitingRoom = waitingRoom}, 1000);
  }
  ~HubHarness() {
    hub.reset();
    store.reset();
    std::filesystem::remove_all(dir);
  }

  // Runs what the fake media plane posted back to the "control thread".
  void drain() {
    while (!posted.empty()) {
      auto task = std::move(posted.front());
      posted.pop_front();
      task();
    }
  }

  // A join token for `identity` as `role` in the harness's room; `appointmentId` binds it
  // to a booking as the clinic's tokens are (join_check.hpp).
  std::string token(const std::string& identity, const std::string& role, const std::string& appointmentId = "") {
    JoinClaims claims;
    claims.roomId = room.id;
    claims.identity = identity;
    claims.name = identity;
    claims.role = role;
    claims.appointmentId = appointmentId;
    return signer.issue(claims, std::chrono::seconds(600));
  }
  std::string hostToken(const std::string& identity) { return token(identity, "host"); }

  // Opens a connection for `socket`, sends `join` with `token` (and `capabilities`, e.g.
  // "p2p") and drains.
  SignalingHub::ConnectionId join(const std::shared_ptr<PeerSocket>& socket, const std::string& token,
                                  const std::vector<std::string>& capabilities = {}) {
    SignalingHub::ConnectionId id = hub->connect(socket);
    boost::json::object message{{"type", "join"}, {"token", token}};
    if (!capabilities.empty()) {
      boost::json::array named;
      for (const auto& c : capabilities) {
        named.emplace_back(c);
      }
      message["capabilities"] = std::move(named);
    }
    hub->onText(id, boost::json::serialize(message));
    drain();
    return id;
  }
  // Sends `message` as `id`'s client and drains.
  void send(SignalingHub::ConnectionId id, const boost::json::object& message) {
    hub->onText(id, boost::json::serialize(message));
    drain();
  }

  std::filesystem::path dir;
  ManualClock clock;
  std::vector<uint8_t> secret;
  JoinTokenSigner signer;
  std::unique_ptr<store::SqliteStore> store;
  std::unique_ptr<SignalingHub> hub;
  std::unique_ptr<FakeMedia> media;
  std::deque<std::function<void()>> posted;
  store::RoomRecord room;
};

}  // namespace medrtc::signaling::testing
