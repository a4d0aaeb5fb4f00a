// Issue 10 item 4: every audited join has its leave. A join is audited without waiting for
// the disk (the participant stays `joining` until its event is durable); one that leaves in
// that window, or whose room ends under it, must still get a leave event after its join —
// and none when the join itself could not be written (then it never happened).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <deque>
#include <filesystem>
#include <stdexcept>

#include "common/random.hpp"
#include "signaling/signaling_hub.hpp"
#include "store/sqlite_store.hpp"
#include "test_support.hpp"

namespace medrtc::signaling {
namespace {

namespace json = boost::json;

class QuietSocket final : public PeerSocket {
 public:
  void sendText(std::string text) override { sent.push_back(json::parse(text).as_object()); }
  void close(uint16_t code, std::string_view) override { closeCode = code; }
  bool got(std::string_view type) const {
    for (const auto& m : sent) {
      if (m.at("type").as_string() == type) {
        return true;
      }
    }
    return false;
  }
  std::vector<json::object> sent;
  std::optional<uint16_t> closeCode;
};

// An asynchronous audit sink, as the AuditWriter is: events are written (or fail) when the
// test says, and their completions run then.
class HeldAudit final : public compliance::AuditSink {
 public:
  void record(compliance::AuditEvent event) override { written.push_back(std::move(event)); }
  void recordLater(compliance::AuditEvent event, Completion done) override {
    pending.emplace_back(std::move(event), std::move(done));
  }
  // Writes (or fails) every pending event, including those their completions add.
  void settle(bool fail = false) {
    while (!pending.empty()) {
      auto [event, done] = std::move(pending.front());
      pending.pop_front();
      if (fail) {
        done(std::make_exception_ptr(std::runtime_error("audit volume unavailable")));
      } else {
        written.push_back(std::move(event));
        done(nullptr);
      }
    }
  }
  // The written events' names in order ("join", "leave:leave", ...).
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& e : written) {
      out.push_back(e.outcomeDesc.substr(0, e.outcomeDesc.find(' ')));
    }
    return out;
  }
  std::deque<std::pair<compliance::AuditEvent, Completion>> pending;
  std::vector<compliance::AuditEvent> written;
};

class JoinLeaveAudit : public ::testing::Test {
 protected:
  JoinLeaveAudit()
      : dir_(std::filesystem::temp_directory_path() / ("medrtc-jl-" + randomHex(6))),
        secret_(kTokenSecretBytes, 9),
        signer_(secret_, clock_) {
    std::filesystem::create_directories(dir_);
    store_ = std::make_unique<store::SqliteStore>(dir_ / "medrtc.db");
    hub_ = std::make_unique<SignalingHub>(*store_, signer_, clock_);
    media_ = std::make_unique<testing::FakeMedia>([this](std::function<void()> t) { posted_.push_back(t); }, *hub_);
    hub_->setMedia(media_.get());
    hub_->setAudit(&audit_);
    room_ = store_->createRoom(store::NewRoom{.name = "", .waitingRoom = false}, 1000);
  }
  ~JoinLeaveAudit() override {
    hub_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  void drain() {
    while (!posted_.empty()) {
      auto task = std::move(posted_.front());
      posted_.pop_front();
      task();
    }
  }
  // Sends `join`; returns with its join event handed to the audit, not yet written.
  SignalingHub::ConnectionId startJoin(const std::shared_ptr<QuietSocket>& socket, const std::string& identity) {
    SignalingHub::ConnectionId id = hub_->connect(socket);
    JoinClaims claims;
    claims.roomId = room_.id;
    claims.identity = identity;
    claims.name = identity;
    claims.role = "host";
    hub_->onText(id, json::serialize(json::object{{"type", "join"}, {"token", signer_.issue(claims, std::chrono::seconds(600))}}));
    drain();
    return id;
  }

  std::filesystem::path dir_;
  ManualClock clock_;
  std::vector<uint8_t> secret_;
  JoinTokenSigner signer_;
  std::unique_ptr<store::SqliteStore> store_;
  std::unique_ptr<SignalingHub> hub_;
  std::unique_ptr<testing::FakeMedia> media_;
  std::deque<std::function<void()>> posted_;
  HeldAudit audit_;
  store::RoomRecord room_;
};

TEST_F(JoinLeaveAudit, ALeaveWhileTheJoinIsBeingWrittenIsAuditedAfterTheJoin) {
  auto socket = std::make_shared<QuietSocket>();
  auto id = startJoin(socket, "alice");
  ASSERT_EQ(audit_.pending.size(), 1u) << "the join event was not handed to the audit";
  hub_->onText(id, R"({"type":"leave"})");
  hub_->onDisconnected(id, "closed");
  audit_.settle();
  EXPECT_FALSE(socket->got("joined"));
  // Before: {"join"} alone, a participant on record as in the call for ever.
  EXPECT_EQ(audit_.names(), (std::vector<std::string>{"join", "leave:leave"}));
}

TEST_F(JoinLeaveAudit, ADroppedSocketWhileTheJoinIsBeingWrittenIsAuditedAfterTheJoin) {
  auto socket = std::make_shared<QuietSocket>();
  auto id = startJoin(socket, "alice");
  hub_->onDisconnected(id, "eof");
  audit_.settle();
  EXPECT_EQ(audit_.names(), (std::vector<std::string>{"join", "leave:eof"}));
}

TEST_F(JoinLeaveAudit, NoLeaveIsAuditedForAJoinThatCouldNotBeWritten) {
  auto socket = std::make_shared<QuietSocket>();
  auto id = startJoin(socket, "alice");
  hub_->onText(id, R"({"type":"leave"})");
  audit_.settle(/*fail=*/true);
  EXPECT_TRUE(audit_.names().empty());
  EXPECT_TRUE(audit_.pending.empty());
}

TEST_F(JoinLeaveAudit, TheRoomEndingAuditsALeaveForEveryoneInTheCallAndEveryoneStillJoining) {
  auto inCall = std::make_shared<QuietSocket>();
  startJoin(inCall, "alice");
  audit_.settle();
  ASSERT_TRUE(inCall->got("joined"));
  auto joining = std::make_shared<QuietSocket>();
  startJoin(joining, "bob");
  ASSERT_EQ(audit_.pending.size(), 1u);
  hub_->endRoom(room_.id, "ended_by_host");
  audit_.settle();
  auto names = audit_.names();
  // Before: two joins and no leave (endRoom closed everyone without one).
  EXPECT_EQ(std::count(names.begin(), names.end(), "join"), 2);
  EXPECT_EQ(std::count(names.begin(), names.end(), "leave:ended_by_host"), 2);
  EXPECT_EQ(names.back(), "leave:ended_by_host");
}

}  // namespace
}  // namespace medrtc::signaling
