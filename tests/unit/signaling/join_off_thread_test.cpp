// Issue 10 item 7 (leftover): a join's store reads — the room, the state behind its token
// (appointment, session, invitation, guest), the tenant — run on the store pool, not on
// the control thread. The hub's own store here fails every call, so any read left on the
// control thread turns the join into `internal`; the pool's store is the real one.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>

#include "common/random.hpp"
#include "failing_store.hpp"
#include "signaling/signaling_hub.hpp"
#include "store/sqlite_store.hpp"
#include "store/store_pool.hpp"
#include "test_support.hpp"
#include "hub_test_doubles.hpp"

namespace medrtc::signaling {
namespace {

namespace json = boost::json;

class JoinOffThread : public ::testing::Test {
 protected:
  JoinOffThread()
      : dir_(std::filesystem::temp_directory_path() / ("medrtc-jot-" + randomHex(6))),
        secret_(kTokenSecretBytes, 5),
        signer_(secret_, clock_) {
    std::filesystem::create_directories(dir_);
    {
      store::SqliteStore setup(dir_ / "medrtc.db");
      room_ = setup.createRoom(store::NewRoom{.name = "", .waitingRoom = false}, 1000);
    }
    pool_ = std::make_unique<store::StorePool>(
        1, 8, [this] { return std::make_unique<store::SqliteStore>(dir_ / "medrtc.db"); },
        [this](std::function<void()> task) { posted_.post(std::move(task)); });
    hub_ = std::make_unique<SignalingHub>(controlStore_, signer_, clock_);
    media_ = std::make_unique<testing::FakeMedia>([this](std::function<void()> t) { posted_.post(std::move(t)); },
                                                  *hub_);
    hub_->setMedia(media_.get());
    hub_->setStorePool(pool_.get());
  }
  ~JoinOffThread() override {
    pool_->stop();
    hub_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::string token(const std::string& identity) {
    JoinClaims claims;
    claims.roomId = room_.id;
    claims.identity = identity;
    claims.name = identity;
    claims.role = "host";
    return signer_.issue(claims, std::chrono::seconds(600));
  }

  std::filesystem::path dir_;
  ManualClock clock_;
  std::vector<uint8_t> secret_;
  JoinTokenSigner signer_;
  store::RoomRecord room_;
  testing::FailingStore controlStore_;
  testing::PostedTasks posted_;
  std::unique_ptr<store::StorePool> pool_;
  std::unique_ptr<SignalingHub> hub_;
  std::unique_ptr<testing::FakeMedia> media_;
};

TEST_F(JoinOffThread, AJoinReadsTheStoreOnThePoolAndNotOnTheControlThread) {
  auto socket = std::make_shared<testing::RecordingSocket>();
  auto id = hub_->connect(socket);
  hub_->onText(id, json::serialize(json::object{{"type", "join"}, {"token", token("alice")}}));
  // Nothing answered yet: the reads are on the pool. A ping is still answered meanwhile,
  // and a second join is refused instead of starting another check.
  hub_->onText(id, R"({"type":"ping"})");
  hub_->onText(id, json::serialize(json::object{{"type", "join"}, {"token", token("alice")}}));
  ASSERT_EQ(socket->sent.size(), 2u);
  EXPECT_EQ(socket->sent[0].at("type").as_string(), "pong");
  EXPECT_EQ(socket->sent[1].at("code").as_string(), "already_joined");
  for (int i = 0; i < 10 && socket->lastType() != "joined"; ++i) {
    ASSERT_TRUE(posted_.runOne()) << "the join never completed";
  }
  // Before: `internal` at once (the control thread's store was read, and it is down).
  EXPECT_EQ(socket->lastType(), "joined") << json::serialize(socket->sent.back());
  EXPECT_FALSE(socket->closeCode);
}

TEST_F(JoinOffThread, ASocketThatLeftWhileItsJoinWasReadIsForgotten) {
  auto socket = std::make_shared<testing::RecordingSocket>();
  auto id = hub_->connect(socket);
  hub_->onText(id, json::serialize(json::object{{"type", "join"}, {"token", token("alice")}}));
  hub_->onDisconnected(id, "eof");
  ASSERT_TRUE(posted_.runOne());
  posted_.runReady();
  EXPECT_TRUE(socket->sent.empty());
  EXPECT_EQ(hub_->counts().participants, 0u);
  EXPECT_FALSE(media_->sawCall("open " + room_.id));
}

TEST_F(JoinOffThread, AnUnknownRoomIsRefusedAfterThePoolRead) {
  auto socket = std::make_shared<testing::RecordingSocket>();
  auto id = hub_->connect(socket);
  JoinClaims claims;
  claims.roomId = "r_unknown";
  claims.identity = "alice";
  claims.role = "host";
  hub_->onText(id, json::serialize(json::object{{"type", "join"}, {"token", signer_.issue(claims, std::chrono::seconds(600))}}));
  ASSERT_TRUE(posted_.runOne());
  ASSERT_FALSE(socket->sent.empty());
  EXPECT_EQ(socket->sent.back().at("code").as_string(), "room_not_found");
  EXPECT_EQ(socket->closeCode, 4006);
}

// A join the store cannot serve now is `internal`, and the socket is closed with 1013 (Try
// Again Later) so the web client reconnects with its backoff. Before: the socket stayed
// open, the client never sent join again, and the join timer closed it with auth_required
// (fatal in the client: the patient got an error page).
TEST_F(JoinOffThread, AJoinRefusedBecauseThePoolIsFullIsClosedWithTryAgainLater) {
  pool_->stop();  // a stopped pool refuses every job, as a full one does
  auto socket = std::make_shared<testing::RecordingSocket>();
  auto id = hub_->connect(socket);
  hub_->onText(id, json::serialize(json::object{{"type", "join"}, {"token", token("alice")}}));
  ASSERT_FALSE(socket->sent.empty());
  EXPECT_EQ(socket->sent.back().at("code").as_string(), "internal");
  EXPECT_EQ(socket->sent.back().at("request_type").as_string(), "join");
  EXPECT_EQ(socket->closeCode, 1013);  // kCloseTryAgainLater
}

TEST_F(JoinOffThread, AJoinWhoseStoreReadFailedIsClosedWithTryAgainLater) {
  // No pool: the join reads the hub's own store, which is down.
  SignalingHub hub(controlStore_, signer_, clock_);
  auto socket = std::make_shared<testing::RecordingSocket>();
  auto id = hub.connect(socket);
  hub.onText(id, json::serialize(json::object{{"type", "join"}, {"token", token("alice")}}));
  ASSERT_FALSE(socket->sent.empty());
  EXPECT_EQ(socket->sent.back().at("code").as_string(), "internal");
  EXPECT_EQ(socket->closeCode, 1013);  // kCloseTryAgainLater
}

}  // namespace
}  // namespace medrtc::signaling
