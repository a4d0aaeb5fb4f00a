// Issue 10 (leftover of item 5): a socket that opened the signaling WebSocket and sent no
// `join` held a connection slot for up to 10 s, so parked sockets could keep real clients
// out. They are now counted apart, with small caps per address and in total; at a cap the
// oldest gives way (too_many_unjoined, close 4040).
#include <gtest/gtest.h>

#include <memory>
#include <vector>

#include "signaling/pending_joins.hpp"
#include "test_support.hpp"

namespace medrtc::signaling {
namespace {

using namespace testing;
using Ids = std::vector<PendingJoins::Id>;

TEST(PendingJoins, TheOldestOfAnAddressGivesWayAtItsCap) {
  PendingJoins pending({.perAddress = 2, .total = 10});
  EXPECT_TRUE(pending.add(1, "a").empty());
  EXPECT_TRUE(pending.add(2, "b").empty());
  EXPECT_TRUE(pending.add(3, "a").empty());
  EXPECT_EQ(pending.add(4, "a"), Ids{1});  // b's socket is older but not at its cap
  EXPECT_EQ(pending.countFor("a"), 2u);
  EXPECT_EQ(pending.countFor("b"), 1u);
  pending.remove(3);  // it joined
  EXPECT_TRUE(pending.add(5, "a").empty());
}

TEST(PendingJoins, TheOldestOfAllGivesWayAtTheTotalCap) {
  PendingJoins pending({.perAddress = 5, .total = 3});
  pending.add(1, "a");
  pending.add(2, "b");
  pending.add(3, "");  // behind a proxy that named nobody: counted in the total only
  EXPECT_EQ(pending.add(4, "c"), Ids{1});
  EXPECT_EQ(pending.add(5, "d"), Ids{2});
  EXPECT_EQ(pending.size(), 3u);
  EXPECT_EQ(pending.countFor("a"), 0u);
  pending.remove(99);  // unknown: ignored
  pending.remove(3);
  EXPECT_TRUE(pending.add(6, "").empty());
}

// End to end: 30 parked sockets from one address against a per-address connection limit
// of 12. Before, the 13th socket was refused at accept and so was every real client from
// that address until the parked ones timed out; now at most 8 stay parked.
TEST(PendingJoinsServer, ARealJoinGetsInPastManyIdleSockets) {
  TestServerOptions options;
  options.connectionLimits.maxPerAddress = 12;
  TestServer server(options);
  std::string roomId = server.createRoom();
  std::vector<std::unique_ptr<WsClient>> parked;
  for (int i = 0; i < 30; ++i) {
    ASSERT_NO_THROW(parked.push_back(std::make_unique<WsClient>(server.port()))) << "socket " << i << " refused";
  }
  // The first ones gave way to the later ones, and were told why.
  boost::json::object displaced = parked.front()->readJson();
  EXPECT_EQ(str(displaced["code"]), "too_many_unjoined") << boost::json::serialize(displaced);
  EXPECT_FALSE(parked.front()->read());
  EXPECT_EQ(parked.front()->closeCode(), 4040);

  WsClient real(server.port());
  boost::json::object joined = real.join(server.createToken(roomId, "alice", "Alice", "host"));
  EXPECT_EQ(str(joined["type"]), "joined") << boost::json::serialize(joined);
  // A joined participant is not a pending socket: more parked ones do not displace it.
  for (int i = 0; i < 10; ++i) {
    parked.push_back(std::make_unique<WsClient>(server.port()));
  }
  EXPECT_TRUE(real.pingPongIsNext());
  // The newest parked socket is still open and can still join.
  boost::json::object late = parked.back()->join(server.createToken(roomId, "bob", "Bob", "guest"));
  EXPECT_EQ(str(late["type"]), "joined") << boost::json::serialize(late);
}

}  // namespace
}  // namespace medrtc::signaling
