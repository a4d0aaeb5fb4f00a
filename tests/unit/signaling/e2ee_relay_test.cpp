// End-to-end encryption through SignalingHub without TCP (docs/e2ee.md, docs/protocol.md
// codes 30-33): a room is E2EE when a governing profile requires it; a join without the
// "e2ee" capability is refused there; public keys, key blobs and encrypted chat are relayed
// to whom the contract says and to nobody else; clear chat never leaves the sender in an
// E2EE room; and a room without E2EE behaves as before.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "compliance/policy_profile.hpp"
#include "hub_harness.hpp"
#include "hub_test_doubles.hpp"
#include "signaling/message/e2ee_payload.hpp"

namespace medrtc::signaling {
namespace {

namespace json = boost::json;

struct Peer {
  std::shared_ptr<testing::RecordingSocket> socket = std::make_shared<testing::RecordingSocket>();
  SignalingHub::ConnectionId id = 0;
  std::string pid;  // from `joined`, empty until then
  std::string token;
};

// RFC 4648 §5 without padding, as the browser's key manager writes it.
std::string base64Url(const std::vector<uint8_t>& bytes) {
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (uint8_t b : bytes) {
    bits = (bits << 8) | b;
    count += 8;
    while (count >= 6) {
      count -= 6;
      out.push_back(alphabet[(bits >> count) & 63]);
    }
  }
  if (count > 0) {
    out.push_back(alphabet[(bits << (6 - count)) & 63]);
  }
  return out;
}

std::string publicKey(uint8_t fill) {
  std::vector<uint8_t> point(65, fill);
  point[0] = 0x04;
  return base64Url(point);
}

std::string blob(uint8_t fill, size_t bytes = 60) { return base64Url(std::vector<uint8_t>(bytes, fill)); }

class E2eeRelay : public ::testing::Test {
 protected:
  E2eeRelay() {
    kbv_->name = "kbv";
    kbv_->e2eeRequired = true;
    gdpr_->name = "gdpr";
    gdpr_->e2eeRequired = false;
    // The node runs no profile; each tenant's own decides (K7's per-tenant rule, for K6).
    h_.hub->setTenantProfiles([this](const store::TenantRecord& t) -> Result<clinic::TenantProfiles, std::string> {
      if (t.policyProfile == "kbv") {
        return clinic::TenantProfiles{kbv_, nodeProfile_};
      }
      if (t.policyProfile == "gdpr") {
        return clinic::TenantProfiles{gdpr_, nodeProfile_};
      }
      return clinic::TenantProfiles{nullptr, nodeProfile_};
    });
    kbvRoom_ = roomOf("kbv", /*waitingRoom=*/false);
  }

  store::RoomRecord roomOf(const std::string& profile, bool waitingRoom) {
    store::TenantRecord t;
    t.name = "Praxis " + profile;
    t.policyProfile = profile;
    t.createdAt = 1;
    t = h_.store->createTenant(t);
    return h_.store->createRoom(store::NewRoom{.name = "", .waitingRoom = waitingRoom, .tenantId = t.id}, 1000);
  }

  Peer join(const store::RoomRecord& room, const std::string& identity, const std::string& role,
            bool e2ee = true) {
    Peer p;
    JoinClaims claims;
    claims.roomId = room.id;
    claims.identity = identity;
    claims.name = identity;
    claims.role = role;
    p.token = h_.signer.issue(claims, std::chrono::seconds(600));
    p.id = h_.join(p.socket, p.token, e2ee ? std::vector<std::string>{"p2p", "e2ee"} : std::vector<std::string>{});
    auto joined = p.socket->ofType("joined");
    if (!joined.empty()) {
      p.pid = std::string(joined[0].at("participant_id").as_string());
    }
    return p;
  }
  Peer join(const std::string& identity, const std::string& role, bool e2ee = true) {
    return join(kbvRoom_, identity, role, e2ee);
  }
  void send(const Peer& p, const json::object& message) { h_.send(p.id, message); }
  void sendKey(const Peer& from, const std::string& to, const std::string& ciphertext) {
    send(from, {{"type", "e2ee_key"}, {"to", to}, {"ciphertext", ciphertext}});
  }
  // The code of the newest error `p` got ("<none>" without one).
  static std::string lastError(const Peer& p) {
    auto errors = p.socket->ofType("error");
    return errors.empty() ? "<none>" : std::string(errors.back().at("code").as_string());
  }
  static size_t errorCount(const Peer& p) { return p.socket->ofType("error").size(); }

  testing::HubHarness h_;  // no audit sink: these tests are about the relays
  std::shared_ptr<compliance::PolicyProfile> kbv_ = std::make_shared<compliance::PolicyProfile>();
  std::shared_ptr<compliance::PolicyProfile> gdpr_ = std::make_shared<compliance::PolicyProfile>();
  std::shared_ptr<const compliance::PolicyProfile> nodeProfile_;
  store::RoomRecord kbvRoom_;
};

TEST_F(E2eeRelay, JoinedSaysWhetherTheRoomIsEncrypted) {
  Peer doctor = join("u_doctor", "host");
  ASSERT_EQ(doctor.socket->ofType("joined").size(), 1u);
  EXPECT_TRUE(doctor.socket->ofType("joined")[0].at("e2ee").as_bool());
  store::RoomRecord plain = roomOf("gdpr", false);
  Peer other = join(plain, "u_other", "host");
  ASSERT_EQ(other.socket->ofType("joined").size(), 1u);
  EXPECT_FALSE(other.socket->ofType("joined")[0].at("e2ee").as_bool());
}

TEST_F(E2eeRelay, NodeProfileRequiringE2eeGovernsTenantsWithoutOne) {
  auto node = std::make_shared<compliance::PolicyProfile>();
  node->name = "kbv";
  node->e2eeRequired = true;
  nodeProfile_ = node;
  store::RoomRecord room = roomOf("", false);
  Peer refused = join(room, "u_old_browser", "host", /*e2ee=*/false);
  EXPECT_EQ(lastError(refused), "e2ee_unsupported");
  Peer doctor = join(room, "u_doctor", "host");
  ASSERT_EQ(doctor.socket->ofType("joined").size(), 1u);
  EXPECT_TRUE(doctor.socket->ofType("joined")[0].at("e2ee").as_bool());
}

TEST_F(E2eeRelay, JoinWithoutTheCapabilityIsRefusedAndNothingReachesTheCall) {
  Peer doctor = join("u_doctor", "host");
  size_t before = doctor.socket->sent.size();
  Peer old = join("g_old_browser", "guest", /*e2ee=*/false);
  ASSERT_EQ(old.socket->sent.size(), 1u);
  EXPECT_EQ(lastError(old), "e2ee_unsupported");
  EXPECT_NE(std::string(old.socket->sent[0].at("message").as_string()).find("end-to-end encrypted"),
            std::string::npos);
  EXPECT_EQ(old.socket->closeCode, std::optional<uint16_t>(4030));
  EXPECT_TRUE(old.socket->ofType("joined").empty());
  // The call never heard of it, and its media was never added (only the doctor's was).
  EXPECT_EQ(doctor.socket->sent.size(), before);
  size_t adds = 0;
  for (const std::string& call : h_.media->calls()) {
    adds += call.rfind("add ", 0) == 0;
  }
  EXPECT_EQ(adds, 1u);
  // Its later frames are not read: the socket is closed.
  send(old, {{"type", "chat"}, {"text", "hello"}});
  EXPECT_TRUE(doctor.socket->ofType("chat").empty());
}

TEST_F(E2eeRelay, GuestWithoutTheCapabilityDoesNotEvenWait) {
  store::RoomRecord room = roomOf("kbv", /*waitingRoom=*/true);
  Peer doctor = join(room, "u_doctor", "host");
  Peer patient = join(room, "g_patient", "patient", /*e2ee=*/false);
  EXPECT_EQ(lastError(patient), "e2ee_unsupported");
  EXPECT_TRUE(patient.socket->ofType("waiting").empty());
  EXPECT_EQ(h_.hub->waitingCount(room.id), 0u);
  EXPECT_EQ(patient.socket->closeCode, std::optional<uint16_t>(4030));
}

TEST_F(E2eeRelay, ARefusedJoinDoesNotReplaceTheLiveParticipant) {
  Peer doctor = join("u_doctor", "host");
  Peer again = join("u_doctor", "host", /*e2ee=*/false);
  EXPECT_EQ(lastError(again), "e2ee_unsupported");
  EXPECT_FALSE(doctor.socket->closeCode);
  EXPECT_EQ(lastError(doctor), "<none>");
}

TEST_F(E2eeRelay, PublicKeyGoesToEveryOtherParticipantAndIntoParticipantObjects) {
  Peer a = join("u_doctor", "host");
  Peer b = join("g_patient", "guest");
  send(a, {{"type", "e2ee_public_key"}, {"public_key", publicKey(1)}});
  EXPECT_EQ(errorCount(a), 0u);
  auto atB = b.socket->ofType("e2ee_public_key");
  ASSERT_EQ(atB.size(), 1u);
  EXPECT_EQ(atB[0].at("from").as_string(), a.pid);
  EXPECT_EQ(atB[0].at("public_key").as_string(), publicKey(1));
  EXPECT_TRUE(a.socket->ofType("e2ee_public_key").empty());

  // A later joiner reads it in `joined`; the others read the newcomer's once it is sent.
  Peer c = join("g_carer", "guest");
  auto joined = c.socket->ofType("joined");
  ASSERT_EQ(joined.size(), 1u);
  bool sawA = false;
  for (const auto& p : joined[0].at("participants").as_array()) {
    const auto& o = p.as_object();
    if (o.at("participant_id").as_string() == a.pid) {
      sawA = true;
      EXPECT_EQ(o.at("e2ee_public_key").as_string(), publicKey(1));
    } else {
      EXPECT_FALSE(o.contains("e2ee_public_key"));  // b sent none
    }
  }
  EXPECT_TRUE(sawA);
  // A rotation replaces the key for those who join after it.
  send(a, {{"type", "e2ee_public_key"}, {"public_key", publicKey(2)}});
  EXPECT_EQ(c.socket->ofType("e2ee_public_key").back().at("public_key").as_string(), publicKey(2));
  send(c, {{"type", "e2ee_public_key"}, {"public_key", publicKey(3)}});
  Peer d = join("g_interpreter", "guest");
  auto dj = d.socket->ofType("joined");
  ASSERT_EQ(dj.size(), 1u);
  for (const auto& p : dj[0].at("participants").as_array()) {
    const auto& o = p.as_object();
    if (o.at("participant_id").as_string() == a.pid) {
      EXPECT_EQ(o.at("e2ee_public_key").as_string(), publicKey(2));
    }
  }
}

TEST_F(E2eeRelay, MalformedPublicKeysAreRefusedAndNotRelayed) {
  Peer a = join("u_doctor", "host");
  Peer b = join("g_patient", "guest");
  std::vector<uint8_t> compressed(33, 1);
  compressed[0] = 0x02;
  std::vector<uint8_t> wrongPrefix(65, 1);
  wrongPrefix[0] = 0x05;
  std::vector<std::string> bad = {
      "",                                  // empty
      publicKey(1) + "=",                  // padding
      "!!" + publicKey(1).substr(2),       // not the alphabet
      base64Url(compressed),               // compressed point
      base64Url(wrongPrefix),              // not 0x04
      publicKey(1).substr(0, 86) + "B",    // non-zero pad bits: a second spelling
      std::string(4000, 'A'),              // far too long
  };
  for (const std::string& key : bad) {
    size_t before = errorCount(a);
    send(a, {{"type", "e2ee_public_key"}, {"public_key", key}});
    EXPECT_EQ(errorCount(a), before + 1) << key;
    EXPECT_EQ(lastError(a), "e2ee_invalid_message") << key;
  }
  send(a, {{"type", "e2ee_public_key"}, {"public_key", 42}});
  EXPECT_EQ(lastError(a), "e2ee_invalid_message");
  send(a, {{"type", "e2ee_public_key"}});
  EXPECT_EQ(lastError(a), "e2ee_invalid_message");
  EXPECT_TRUE(b.socket->ofType("e2ee_public_key").empty());
  EXPECT_FALSE(a.socket->closeCode);  // non-fatal: the call goes on
  send(a, {{"type", "e2ee_public_key"}, {"public_key", publicKey(1)}});
  EXPECT_EQ(b.socket->ofType("e2ee_public_key").size(), 1u);
}

TEST_F(E2eeRelay, KeyBlobReachesOnlyItsRecipient) {
  Peer a = join("u_doctor", "host");
  Peer b = join("g_patient", "guest");
  Peer c = join("g_carer", "guest");
  sendKey(a, b.pid, blob(9));
  EXPECT_EQ(errorCount(a), 0u);
  auto atB = b.socket->ofType("e2ee_key");
  ASSERT_EQ(atB.size(), 1u);
  EXPECT_EQ(atB[0].at("from").as_string(), a.pid);
  EXPECT_EQ(atB[0].at("ciphertext").as_string(), blob(9));
  EXPECT_FALSE(atB[0].contains("to"));
  EXPECT_TRUE(c.socket->ofType("e2ee_key").empty());
  EXPECT_TRUE(a.socket->ofType("e2ee_key").empty());
  // The largest blob the contract allows passes.
  sendKey(a, c.pid, blob(7, kMaxE2eeKeyCiphertextBytes));
  EXPECT_EQ(c.socket->ofType("e2ee_key").size(), 1u);
  EXPECT_EQ(errorCount(a), 0u);
}

TEST_F(E2eeRelay, KeyForSomeoneNotInTheCallIsRefused) {
  store::RoomRecord room = roomOf("kbv", /*waitingRoom=*/true);
  Peer a = join(room, "u_doctor", "host");
  Peer waiting = join(room, "g_patient", "patient");
  ASSERT_EQ(waiting.socket->ofType("waiting").size(), 1u);
  auto queue = a.socket->ofType("waiting_room").back().at("queue").as_array();
  ASSERT_EQ(queue.size(), 1u);
  std::string waitingPid(queue[0].at("participant_id").as_string());
  Peer elsewhere = join("u_other", "host");  // in kbvRoom_, another call
  Peer gone = join(room, "u_staff", "host");
  std::string gonePid = gone.pid;
  send(gone, {{"type", "leave"}});

  for (const std::string& to : {std::string("p_nobody"), waitingPid, a.pid, elsewhere.pid, gonePid}) {
    size_t before = errorCount(a);
    sendKey(a, to, blob(static_cast<uint8_t>(to.size())));
    EXPECT_EQ(errorCount(a), before + 1) << to;
    EXPECT_EQ(lastError(a), "e2ee_unknown_recipient") << to;
  }
  EXPECT_TRUE(waiting.socket->ofType("e2ee_key").empty());
  EXPECT_TRUE(elsewhere.socket->ofType("e2ee_key").empty());
  EXPECT_FALSE(a.socket->closeCode);
}

TEST_F(E2eeRelay, WaitingParticipantNeitherSendsNorReceivesKeys) {
  store::RoomRecord room = roomOf("kbv", /*waitingRoom=*/true);
  Peer doctor = join(room, "u_doctor", "host");
  Peer patient = join(room, "g_patient", "patient");
  ASSERT_EQ(patient.socket->ofType("waiting").size(), 1u);
  send(patient, {{"type", "e2ee_public_key"}, {"public_key", publicKey(1)}});
  EXPECT_EQ(lastError(patient), "not_joined");
  sendKey(patient, doctor.pid, blob(1));
  EXPECT_EQ(lastError(patient), "not_joined");
  send(patient, {{"type", "chat"}, {"ciphertext", blob(2)}});
  EXPECT_EQ(lastError(patient), "not_joined");
  EXPECT_TRUE(doctor.socket->ofType("e2ee_public_key").empty());
  EXPECT_TRUE(doctor.socket->ofType("e2ee_key").empty());
  EXPECT_TRUE(doctor.socket->ofType("chat").empty());
  // The doctor's key is not broadcast into the waiting room (K3).
  send(doctor, {{"type", "e2ee_public_key"}, {"public_key", publicKey(4)}});
  EXPECT_TRUE(patient.socket->ofType("e2ee_public_key").empty());
  // Once admitted, it is in the call: it gets `joined` with e2ee and the doctor's key.
  auto queue = doctor.socket->ofType("waiting_room").back().at("queue").as_array();
  send(doctor, {{"type", "admit"}, {"participant_id", queue[0].at("participant_id")}});
  auto joined = patient.socket->ofType("joined");
  ASSERT_EQ(joined.size(), 1u);
  EXPECT_TRUE(joined[0].at("e2ee").as_bool());
  EXPECT_EQ(joined[0].at("participants").as_array()[0].at("e2ee_public_key").as_string(), publicKey(4));
  std::string patientPid(joined[0].at("participant_id").as_string());
  sendKey(doctor, patientPid, blob(5));
  EXPECT_EQ(patient.socket->ofType("e2ee_key").size(), 1u);
}

TEST_F(E2eeRelay, ReplayedKeyBlobIsRefusedAndNotRelayed) {
  Peer a = join("u_doctor", "host");
  Peer b = join("g_patient", "guest");
  Peer c = join("g_carer", "guest");
  sendKey(a, b.pid, blob(1));
  sendKey(a, b.pid, blob(1));
  EXPECT_EQ(lastError(a), "e2ee_replayed");
  // The same blob to another recipient is a repeat too.
  sendKey(a, c.pid, blob(1));
  EXPECT_EQ(errorCount(a), 2u);
  EXPECT_EQ(b.socket->ofType("e2ee_key").size(), 1u);
  EXPECT_TRUE(c.socket->ofType("e2ee_key").empty());
  // Another sender may happen to send the same bytes: the window is per sender.
  sendKey(b, c.pid, blob(1));
  EXPECT_EQ(c.socket->ofType("e2ee_key").size(), 1u);
  // The window holds the last 256 blobs of a sender: the 257th back is forgotten.
  for (int i = 0; i < 256; ++i) {
    std::vector<uint8_t> bytes(40, 0);
    bytes[0] = static_cast<uint8_t>(i);
    bytes[1] = static_cast<uint8_t>(i >> 8);
    bytes[2] = 0xaa;
    h_.clock.advance(std::chrono::milliseconds(20));  // within the socket's message budget
    sendKey(a, b.pid, base64Url(bytes));
  }
  EXPECT_EQ(errorCount(a), 2u);
  sendKey(a, b.pid, blob(1));
  EXPECT_EQ(errorCount(a), 2u);
  EXPECT_EQ(b.socket->ofType("e2ee_key").size(), 258u);
}

TEST_F(E2eeRelay, MalformedOrOversizeKeyBlobsAreRefused) {
  Peer a = join("u_doctor", "host");
  Peer b = join("g_patient", "guest");
  for (const std::string& ciphertext :
       {std::string(""), blob(1) + "==", std::string("a+b/"), std::string("AAAAA"),
        blob(3, kMaxE2eeKeyCiphertextBytes + 1)}) {
    size_t before = errorCount(a);
    sendKey(a, b.pid, ciphertext);
    EXPECT_EQ(errorCount(a), before + 1);
    EXPECT_EQ(lastError(a), "e2ee_invalid_message") << ciphertext.substr(0, 20);
  }
  send(a, {{"type", "e2ee_key"}, {"to", b.pid}});
  EXPECT_EQ(lastError(a), "e2ee_invalid_message");
  send(a, {{"type", "e2ee_key"}, {"to", b.pid}, {"ciphertext", json::array{1, 2}}});
  EXPECT_EQ(lastError(a), "e2ee_invalid_message");
  send(a, {{"type", "e2ee_key"}, {"to", std::string(65, 'p')}, {"ciphertext", blob(1)}});
  EXPECT_EQ(lastError(a), "e2ee_invalid_message");
  EXPECT_TRUE(b.socket->ofType("e2ee_key").empty());
  EXPECT_FALSE(a.socket->closeCode);
  // A refused blob is not remembered: sent well-formed, it is relayed.
  sendKey(a, b.pid, blob(1));
  EXPECT_EQ(b.socket->ofType("e2ee_key").size(), 1u);
}

TEST_F(E2eeRelay, ChatIsCiphertextOnlyInAnEncryptedRoom) {
  Peer a = join("u_doctor", "host");
  Peer b = join("g_patient", "guest");
  send(a, {{"type", "chat"}, {"text", "Guten Tag"}});
  EXPECT_EQ(lastError(a), "e2ee_invalid_message");
  send(a, {{"type", "chat"}, {"text", "Guten Tag"}, {"ciphertext", blob(1)}});
  EXPECT_EQ(lastError(a), "e2ee_invalid_message");
  send(a, {{"type", "chat"}, {"ciphertext", blob(1, kMaxChatCiphertextBytes + 1)}});
  EXPECT_EQ(lastError(a), "e2ee_invalid_message");
  send(a, {{"type", "chat"}, {"ciphertext", "not base64url!"}});
  EXPECT_EQ(lastError(a), "e2ee_invalid_message");
  EXPECT_EQ(errorCount(a), 4u);
  EXPECT_TRUE(a.socket->ofType("chat").empty());
  EXPECT_TRUE(b.socket->ofType("chat").empty());

  send(a, {{"type", "chat"}, {"ciphertext", blob(6, kMaxChatCiphertextBytes)}});
  for (const Peer* p : {&a, &b}) {
    auto chats = p->socket->ofType("chat");
    ASSERT_EQ(chats.size(), 1u);
    EXPECT_EQ(chats[0].at("from").as_string(), a.pid);
    EXPECT_EQ(chats[0].at("ciphertext").as_string(), blob(6, kMaxChatCiphertextBytes));
    EXPECT_FALSE(chats[0].contains("text"));
    EXPECT_TRUE(chats[0].contains("sent_at"));
  }
}

// docs/protocol.md "Recovery": a resumed participant keeps its E2EE state (its key, its
// replay window) and gets what was relayed to it while its socket was gone.
TEST_F(E2eeRelay, ResumeKeepsTheE2eeStateAndDeliversHeldKeys) {
  Peer a = join("u_doctor", "host");
  Peer b = join("g_patient", "guest");
  send(a, {{"type", "e2ee_public_key"}, {"public_key", publicKey(1)}});
  sendKey(b, a.pid, blob(8));
  std::string resumeToken(b.socket->ofType("joined")[0].at("resume_token").as_string());
  h_.hub->onDisconnected(b.id, "network");
  sendKey(a, b.pid, blob(2));  // held for b
  EXPECT_EQ(errorCount(a), 0u);

  Peer back;
  back.id = h_.hub->connect(back.socket);
  send(back, {{"type", "resume"}, {"token", b.token}, {"resume_token", resumeToken}});
  auto resumed = back.socket->ofType("resumed");
  ASSERT_EQ(resumed.size(), 1u) << (back.socket->sent.empty() ? "" : json::serialize(back.socket->sent[0]));
  EXPECT_TRUE(resumed[0].at("e2ee").as_bool());
  EXPECT_EQ(resumed[0].at("participants").as_array()[0].at("e2ee_public_key").as_string(), publicKey(1));
  auto held = back.socket->ofType("e2ee_key");
  ASSERT_EQ(held.size(), 1u);
  EXPECT_EQ(held[0].at("ciphertext").as_string(), blob(2));
  // Its replay window came along: the blob it sent before the drop is still a repeat.
  sendKey(back, a.pid, blob(8));
  EXPECT_EQ(lastError(back), "e2ee_replayed");
}

TEST_F(E2eeRelay, RoomWithoutE2eeIsUnchanged) {
  store::RoomRecord plain = roomOf("gdpr", false);
  Peer a = join(plain, "u_doctor", "host", /*e2ee=*/false);
  Peer b = join(plain, "g_patient", "guest");  // a capable client is welcome too
  ASSERT_EQ(a.socket->ofType("joined").size(), 1u);
  ASSERT_EQ(b.socket->ofType("joined").size(), 1u);
  send(a, {{"type", "chat"}, {"text", "Hallo"}});
  ASSERT_EQ(b.socket->ofType("chat").size(), 1u);
  EXPECT_EQ(b.socket->ofType("chat")[0].at("text").as_string(), "Hallo");
  // The E2EE messages have nothing to do here: refused, nothing relayed.
  send(a, {{"type", "e2ee_public_key"}, {"public_key", publicKey(1)}});
  EXPECT_EQ(lastError(a), "e2ee_invalid_message");
  sendKey(a, b.pid, blob(1));
  EXPECT_EQ(lastError(a), "e2ee_invalid_message");
  send(a, {{"type", "chat"}, {"ciphertext", blob(1)}});
  EXPECT_EQ(lastError(a), "e2ee_invalid_message");
  EXPECT_TRUE(b.socket->ofType("e2ee_public_key").empty());
  EXPECT_TRUE(b.socket->ofType("e2ee_key").empty());
  EXPECT_EQ(b.socket->ofType("chat").size(), 1u);
}

}  // namespace
}  // namespace medrtc::signaling
