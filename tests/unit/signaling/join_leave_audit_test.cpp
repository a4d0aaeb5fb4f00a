// Issue 10 item 4: every audited join has its leave. A join is audited without waiting for
// the disk (the participant stays `joining` until its event is durable); one that leaves in
// that window, or whose room ends under it, must still get a leave event after its join —
// and none when the join itself could not be written (then it never happened).
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <deque>
#include <stdexcept>

#include "hub_harness.hpp"

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
  // Sends `join`; returns with its join event handed to the audit, not yet written.
  SignalingHub::ConnectionId startJoin(const std::shared_ptr<QuietSocket>& socket, const std::string& identity) {
    return h_.join(socket, h_.hostToken(identity));
  }

  HeldAudit audit_;
  testing::HubHarness h_{audit_};
};

TEST_F(JoinLeaveAudit, ALeaveWhileTheJoinIsBeingWrittenIsAuditedAfterTheJoin) {
  auto socket = std::make_shared<QuietSocket>();
  auto id = startJoin(socket, "alice");
  ASSERT_EQ(audit_.pending.size(), 1u) << "the join event was not handed to the audit";
  h_.hub->onText(id, R"({"type":"leave"})");
  h_.hub->onDisconnected(id, "closed");
  audit_.settle();
  EXPECT_FALSE(socket->got("joined"));
  // Before: {"join"} alone, a participant on record as in the call for ever.
  EXPECT_EQ(audit_.names(), (std::vector<std::string>{"join", "leave:leave"}));
}

TEST_F(JoinLeaveAudit, ADroppedSocketWhileTheJoinIsBeingWrittenIsAuditedAfterTheJoin) {
  auto socket = std::make_shared<QuietSocket>();
  auto id = startJoin(socket, "alice");
  h_.hub->onDisconnected(id, "eof");
  audit_.settle();
  EXPECT_EQ(audit_.names(), (std::vector<std::string>{"join", "leave:eof"}));
}

TEST_F(JoinLeaveAudit, NoLeaveIsAuditedForAJoinThatCouldNotBeWritten) {
  auto socket = std::make_shared<QuietSocket>();
  auto id = startJoin(socket, "alice");
  h_.hub->onText(id, R"({"type":"leave"})");
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
  h_.hub->endRoom(h_.room.id, "ended_by_host");
  audit_.settle();
  auto names = audit_.names();
  // Before: two joins and no leave (endRoom closed everyone without one).
  EXPECT_EQ(std::count(names.begin(), names.end(), "join"), 2);
  EXPECT_EQ(std::count(names.begin(), names.end(), "leave:ended_by_host"), 2);
  EXPECT_EQ(names.back(), "leave:ended_by_host");
}

}  // namespace
}  // namespace medrtc::signaling
