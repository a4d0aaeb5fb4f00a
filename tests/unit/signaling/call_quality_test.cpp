// Issue 12 items 6-7 on the control side: active_speaker to the room, network_quality to
// its hosts, and the per-room ring the admin dashboard reads.
#include <gtest/gtest.h>

#include "signaling/call_quality_board.hpp"
#include "signaling/message/quality_messages.hpp"
#include "test_support.hpp"

namespace medrtc::signaling {
namespace {

namespace json = boost::json;
using testing::str;
using testing::TestServer;
using testing::WsClient;

sfu::ParticipantQuality figures(const std::string& pid, double loss, double score) {
  sfu::ParticipantQuality q;
  q.participantId = pid;
  q.lossPercent = loss;
  q.rttMs = 40;
  q.jitterMs = 5;
  q.bitrateInBps = 500'000;
  q.freezeCount = 1;
  q.score = score;
  q.mos = 4.2;
  q.rating = score > 80 ? sfu::QualityRating::kGood : (score > 40 ? sfu::QualityRating::kFair : sfu::QualityRating::kPoor);
  return q;
}

TEST(CallQuality, ActiveSpeakerReachesEveryoneInTheCall) {
  TestServer server;
  std::string room = server.createRoom();
  WsClient host(server.port());
  std::string hostId = str(host.join(server.createToken(room, "dr", "Dr", "host"))["participant_id"]);
  WsClient guest(server.port());
  std::string guestId = str(guest.join(server.createToken(room, "pat", "Pat"))["participant_id"]);
  ASSERT_EQ(str(host.readJson()["type"]), "participant_joined");

  server.onControl([&] { server.media().events().onActiveSpeaker(room, guestId); });
  for (WsClient* ws : {&host, &guest}) {
    json::object m = ws->readUntil("active_speaker");
    EXPECT_EQ(str(m["participant_id"]), guestId);
  }
  // A speaker who already left, or another room's, announces nothing.
  server.onControl([&] { server.media().events().onActiveSpeaker(room, "p_gone"); });
  server.onControl([&] { server.media().events().onActiveSpeaker("other-room", hostId); });
  EXPECT_TRUE(host.pingPongIsNext());
  EXPECT_TRUE(guest.pingPongIsNext());
}

// The media plane names a speaker only when it changes: who joins later is told the
// current one with its join, or its page would highlight nobody while the others agree.
TEST(CallQuality, ALateJoinerIsToldTheCurrentActiveSpeaker) {
  TestServer server;
  std::string room = server.createRoom();
  WsClient host(server.port());
  std::string hostId = str(host.join(server.createToken(room, "dr", "Dr", "host"))["participant_id"]);
  server.onControl([&] { server.media().events().onActiveSpeaker(room, hostId); });
  EXPECT_EQ(str(host.readUntil("active_speaker")["participant_id"]), hostId);

  WsClient late(server.port());
  late.join(server.createToken(room, "pat", "Pat"));
  json::object m = late.readUntil("active_speaker");
  EXPECT_EQ(str(m["participant_id"]), hostId);
}

TEST(CallQuality, NetworkQualityGoesToHostsOnlyWithoutNames) {
  TestServer server;
  std::string room = server.createRoom();
  WsClient host(server.port());
  std::string hostId = str(host.join(server.createToken(room, "dr", "Dr Secret", "host"))["participant_id"]);
  WsClient guest(server.port());
  std::string guestId = str(guest.join(server.createToken(room, "pat", "Patient Secret"))["participant_id"]);
  ASSERT_EQ(str(host.readJson()["type"]), "participant_joined");

  sfu::ParticipantQuality guestFigures = figures(guestId, 6, 70);
  guestFigures.layer = 1;  // the simulcast layer the SFU forwards to the guest
  server.onControl([&] {
    server.media().events().onQualityReport(
        room, {figures(hostId, 0, 99), guestFigures, figures("p_left_already", 50, 20)});
  });
  std::optional<std::string> text;
  for (int i = 0; i < 5 && !(text && text->find("network_quality") != std::string::npos); ++i) {
    text = host.read();
  }
  ASSERT_TRUE(text.has_value());
  EXPECT_EQ(text->find("Secret"), std::string::npos);
  json::object m = json::parse(*text).as_object();
  EXPECT_EQ(str(m["type"]), "network_quality");
  json::array& list = m["participants"].as_array();
  ASSERT_EQ(list.size(), 2u);  // the one who left is not reported
  for (auto& v : list) {
    json::object& p = v.as_object();
    if (str(p["participant_id"]) == guestId) {
      EXPECT_EQ(str(p["quality"]), "fair");
      EXPECT_DOUBLE_EQ(p["loss_percent"].to_number<double>(), 6.0);
      EXPECT_EQ(p["layer"].to_number<int>(), 1);
    } else {
      EXPECT_EQ(str(p["participant_id"]), hostId);
      EXPECT_EQ(str(p["quality"]), "good");
      EXPECT_EQ(p["layer"].to_number<int>(), 0);
    }
  }
  EXPECT_TRUE(guest.pingPongIsNext());  // guests are not told about others' links
}

TEST(CallQualityBoard, KeepsABoundedRingOfWorstCaseRoomSamples) {
  CallQualityBoard board;
  for (int i = 0; i < static_cast<int>(CallQualityBoard::kMaxSamples) + 10; ++i) {
    board.record("r", {figures("a", 1, 95), figures("b", 4, 70)}, 1000 + 5 * i);
  }
  auto all = board.samples("r");
  ASSERT_EQ(all.size(), CallQualityBoard::kMaxSamples);
  EXPECT_EQ(all.front().at, 1000 + 5 * 10);  // the oldest ten went
  EXPECT_DOUBLE_EQ(all.back().lossPercent, 4.0);  // worst participant
  EXPECT_DOUBLE_EQ(all.back().score, 70.0);
  EXPECT_EQ(all.back().bitrateBps, 1'000'000u);   // sum
  EXPECT_EQ(all.back().freezeCount, 2u);
  EXPECT_EQ(all.back().participants, 2u);
  EXPECT_EQ(board.samples("r", all.back().at).size(), 1u);
  ASSERT_NE(board.latest("r"), nullptr);
  board.forgetParticipant("a");
  EXPECT_EQ(board.latest("r")->size(), 1u);
  board.forgetRoom("r");
  EXPECT_TRUE(board.samples("r").empty());
  EXPECT_EQ(board.latest("r"), nullptr);
}

TEST(QualityMessages, ActiveSpeakerHasTheParticipantIdOnly) {
  json::object m = json::parse(activeSpeakerMessage("p_1")).as_object();
  EXPECT_EQ(m.size(), 2u);
  EXPECT_EQ(str(m["type"]), "active_speaker");
  EXPECT_EQ(str(m["participant_id"]), "p_1");
}

}  // namespace
}  // namespace medrtc::signaling
