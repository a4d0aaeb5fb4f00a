#include "loadgen/janus_messages.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace medrtc::loadgen {
namespace {

namespace json = boost::json;

// Replies and events recorded from Janus 1.1.2 (Debian package) over its HTTP API.
constexpr char kCreated[] = R"({"janus": "success", "transaction": "t1", "data": {"id": 8211732443298068}})";
constexpr char kAttached[] =
    R"({"janus": "success", "session_id": 8211732443298068, "transaction": "t2", "data": {"id": 6593279109030906}})";
constexpr char kRoomCreated[] =
    R"({"janus": "success", "session_id": 8211732443298068, "transaction": "t3", "sender": 6593279109030906,)"
    R"( "plugindata": {"plugin": "janus.plugin.videoroom", "data": {"videoroom": "created", "room": 4242,)"
    R"( "permanent": false}}})";
constexpr char kRoomExists[] =
    R"({"janus": "success", "session_id": 8211732443298068, "transaction": "t4", "sender": 6593279109030906,)"
    R"( "plugindata": {"plugin": "janus.plugin.videoroom", "data": {"videoroom": "event", "error_code": 427,)"
    R"( "error": "Room 4242 already exists"}}})";
constexpr char kAck[] = R"({"janus": "ack", "session_id": 8211732443298068, "transaction": "t5"})";
constexpr char kJoinedPoll[] =
    R"([{"janus": "event", "session_id": 8211732443298068, "transaction": "t5", "sender": 6593279109030906,)"
    R"( "plugindata": {"plugin": "janus.plugin.videoroom", "data": {"videoroom": "joined", "room": 4242,)"
    R"( "description": "Room 4242", "id": 7695761592478814, "private_id": 3767296067, "publishers":)"
    R"( [{"id": 5555, "display": "c0-b", "streams": [{"type": "audio", "mindex": 0, "mid": "0"}]}]}},)"
    R"( "jsep": {"type": "answer", "sdp": "v=0\r\n"}},)"
    R"( {"janus": "webrtcup", "session_id": 8211732443298068, "sender": 6593279109030906},)"
    R"( {"janus": "hangup", "session_id": 1, "sender": 2, "reason": "DTLS alert"}, 17])";
constexpr char kNoSuchSession[] =
    R"({"janus": "error", "transaction": "t9", "error": {"code": 458, "reason": "No such session 1"}})";

TEST(JanusMessages, ParsesRecordedReplies) {
  auto created = parseJanusMessage(kCreated);
  ASSERT_TRUE(created);
  EXPECT_EQ(created->janus, "success");
  EXPECT_EQ(created->dataId, 8211732443298068U);
  EXPECT_EQ(parseJanusMessage(kAttached)->dataId, 6593279109030906U);

  auto room = parseJanusMessage(kRoomCreated);
  ASSERT_TRUE(room);
  EXPECT_EQ(room->videoRoom, "created");
  EXPECT_EQ(room->room, 4242U);
  EXPECT_EQ(room->errorCode, 0);

  auto exists = parseJanusMessage(kRoomExists);
  EXPECT_EQ(exists->errorCode, 427);
  EXPECT_EQ(exists->error, "Room 4242 already exists");

  EXPECT_EQ(parseJanusMessage(kAck)->janus, "ack");
  auto error = parseJanusMessage(kNoSuchSession);
  EXPECT_EQ(error->janus, "error");
  EXPECT_EQ(error->errorCode, 458);
  EXPECT_EQ(error->error, "No such session 1");

  EXPECT_FALSE(parseJanusMessage("not json"));
  EXPECT_FALSE(parseJanusMessage(R"({"transaction":"x"})"));
}

TEST(JanusMessages, ParsesALongPollBatch) {
  auto events = parseJanusEvents(kJoinedPoll);
  ASSERT_EQ(events.size(), 3U);  // the stray 17 is skipped
  const JanusMessage& joined = events[0];
  EXPECT_EQ(joined.janus, "event");
  EXPECT_EQ(joined.sender, 6593279109030906U);
  EXPECT_EQ(joined.videoRoom, "joined");
  EXPECT_EQ(joined.feedId, 7695761592478814U);
  ASSERT_EQ(joined.publishers.size(), 1U);
  EXPECT_EQ(joined.publishers[0], 5555U);
  EXPECT_EQ(joined.jsepType, "answer");
  EXPECT_EQ(joined.jsepSdp, "v=0\r\n");
  EXPECT_EQ(events[1].janus, "webrtcup");
  EXPECT_EQ(events[2].reason, "DTLS alert");
  // A single object (no maxev) is one event.
  EXPECT_EQ(parseJanusEvents(kAck).size(), 1U);
  EXPECT_TRUE(parseJanusEvents("[").empty());
}

TEST(JanusMessages, ParsesUnpublishedAndNewPublishers) {
  auto m = parseJanusMessage(
      R"({"janus":"event","sender":9,"plugindata":{"plugin":"janus.plugin.videoroom","data":)"
      R"({"videoroom":"event","room":7,"publishers":[{"id":11},{"id":"x"},{"id":12}],"unpublished":11}}})");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->publishers, (std::vector<uint64_t>{11, 12}));
  EXPECT_EQ(m->unpublished, 11U);
  EXPECT_EQ(m->feedId, 0U);  // only "joined" carries our own id
}

TEST(JanusMessages, BuildsRequests) {
  json::value create = json::parse(janusCreateSession("t1"));
  EXPECT_EQ(create.at("janus").as_string(), "create");
  EXPECT_EQ(create.at("transaction").as_string(), "t1");
  json::value attach = json::parse(janusAttach("t2", kVideoRoomPlugin));
  EXPECT_EQ(attach.at("plugin").as_string(), "janus.plugin.videoroom");
  EXPECT_EQ(json::parse(janusKeepalive("k")).at("janus").as_string(), "keepalive");
  EXPECT_EQ(json::parse(janusDestroySession("d")).at("janus").as_string(), "destroy");

  json::value room = json::parse(videoRoomCreate("t3", 4242, 3'000'000));
  EXPECT_EQ(room.at("janus").as_string(), "message");
  const json::value& body = room.at("body");
  EXPECT_EQ(body.at("request").as_string(), "create");
  EXPECT_EQ(body.at("room").to_number<uint64_t>(), 4242U);
  EXPECT_EQ(body.at("videocodec").as_string(), "vp8");
  EXPECT_EQ(body.at("audiocodec").as_string(), "opus");
  EXPECT_EQ(body.at("bitrate").to_number<uint64_t>(), 3'000'000U);
  EXPECT_FALSE(body.at("permanent").as_bool());

  json::value pub = json::parse(videoRoomPublish("t4", 4242, "c0-a", "v=0\r\n"));
  EXPECT_EQ(pub.at("body").at("request").as_string(), "joinandconfigure");
  EXPECT_EQ(pub.at("body").at("ptype").as_string(), "publisher");
  EXPECT_EQ(pub.at("body").at("display").as_string(), "c0-a");
  EXPECT_EQ(pub.at("jsep").at("type").as_string(), "offer");
  EXPECT_EQ(pub.at("jsep").at("sdp").as_string(), "v=0\r\n");
  EXPECT_FALSE(pub.at("jsep").at("trickle").as_bool());

  json::value sub = json::parse(videoRoomSubscribe("t5", 4242, 7695761592478814ULL));
  EXPECT_EQ(sub.at("body").at("ptype").as_string(), "subscriber");
  EXPECT_EQ(sub.at("body").at("streams").at(0).at("feed").to_number<uint64_t>(), 7695761592478814ULL);

  json::value start = json::parse(videoRoomStart("t6", "v=0\r\n"));
  EXPECT_EQ(start.at("body").at("request").as_string(), "start");
  EXPECT_EQ(start.at("jsep").at("type").as_string(), "answer");

  json::value destroy = json::parse(videoRoomDestroy("t7", 4242));
  EXPECT_EQ(destroy.at("body").at("request").as_string(), "destroy");
}

}  // namespace
}  // namespace medrtc::loadgen
