// The E2EE messages of docs/protocol.md as the parser and the payload checks see them:
// shape errors of an E2EE message are told apart (e2ee_invalid_message), base64url is
// accepted in its one canonical spelling only, and sizes are bounded before decoding.
#include <gtest/gtest.h>

#include "signaling/message/client_message.hpp"
#include "signaling/message/e2ee_payload.hpp"
#include "signaling/message/server_message.hpp"

namespace medrtc::signaling {
namespace {

TEST(E2eeMessage, JoinReadsTheE2eeCapability) {
  auto both = parseClientMessage(R"({"type":"join","token":"t","capabilities":["p2p","e2ee","future"]})");
  ASSERT_TRUE(both.ok());
  EXPECT_TRUE(std::get<JoinMessage>(*both).e2eeCapable);
  EXPECT_TRUE(std::get<JoinMessage>(*both).p2pCapable);
  auto none = parseClientMessage(R"({"type":"join","token":"t","capabilities":["p2p","E2EE"]})");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(std::get<JoinMessage>(*none).e2eeCapable);
}

TEST(E2eeMessage, ParsesKeyMessagesAndEncryptedChat) {
  auto key = parseClientMessage(R"({"type":"e2ee_public_key","public_key":"BAAA"})");
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(std::get<E2eePublicKeyMessage>(*key).publicKey, "BAAA");
  auto blob = parseClientMessage(R"({"type":"e2ee_key","to":"p_1","ciphertext":"AQID"})");
  ASSERT_TRUE(blob.ok());
  EXPECT_EQ(std::get<E2eeKeyMessage>(*blob).to, "p_1");
  EXPECT_EQ(std::get<E2eeKeyMessage>(*blob).ciphertext, "AQID");
  auto chat = parseClientMessage(R"({"type":"chat","ciphertext":"AQID"})");
  ASSERT_TRUE(chat.ok());
  EXPECT_TRUE(std::get<ChatMessage>(*chat).hasCiphertext);
  EXPECT_FALSE(std::get<ChatMessage>(*chat).hasText);
  auto text = parseClientMessage(R"({"type":"chat","text":"hi"})");
  ASSERT_TRUE(text.ok());
  EXPECT_TRUE(std::get<ChatMessage>(*text).hasText);
  EXPECT_FALSE(std::get<ChatMessage>(*text).hasCiphertext);
}

TEST(E2eeMessage, ShapeErrorsOfE2eeMessagesAreE2eeErrors) {
  for (const char* text : {R"({"type":"e2ee_public_key"})", R"({"type":"e2ee_public_key","public_key":1})",
                           R"({"type":"e2ee_key","ciphertext":"AQID"})", R"({"type":"e2ee_key","to":"p_1"})",
                           R"({"type":"e2ee_key","to":"","ciphertext":"AQID"})",
                           R"({"type":"chat","ciphertext":null})"}) {
    auto r = parseClientMessage(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_TRUE(isE2eeMessageError(r.error())) << text;
  }
  // Other messages keep `invalid_message`, chat without either field included.
  for (const char* text : {R"({"type":"chat"})", R"({"type":"chat","text":5})", R"({"type":"join"})",
                           R"({"type":"e2ee_nonsense"})", "not json"}) {
    auto r = parseClientMessage(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_FALSE(isE2eeMessageError(r.error())) << text;
  }
}

TEST(E2eePayload, DecodesCanonicalBase64UrlOnly) {
  EXPECT_EQ(decodeBase64Url(""), std::vector<uint8_t>{});
  EXPECT_EQ(decodeBase64Url("AQID"), (std::vector<uint8_t>{1, 2, 3}));
  EXPECT_EQ(decodeBase64Url("-_8"), (std::vector<uint8_t>{0xfb, 0xff}));
  EXPECT_EQ(decodeBase64Url("AQ"), (std::vector<uint8_t>{1}));
  EXPECT_FALSE(decodeBase64Url("AQ=="));  // padding
  EXPECT_FALSE(decodeBase64Url("+/8"));   // standard alphabet
  EXPECT_FALSE(decodeBase64Url("AQIDB"));  // 6 bits over
  EXPECT_FALSE(decodeBase64Url("AR"));    // non-zero pad bits: a second spelling of "AQ"
  EXPECT_FALSE(decodeBase64Url("AQ I"));
  EXPECT_FALSE(decodeBase64Url(std::string_view("AQ\0D", 4)));
}

TEST(E2eePayload, PublicKeyIsAnUncompressedP256Point) {
  std::string point = "BA" + std::string(85, 'A');  // 0x04 then 64 zero bytes: 87 characters
  ASSERT_EQ(decodeBase64Url(point)->size(), kP256PublicKeyBytes);
  EXPECT_TRUE(isP256PublicKey(point));
  EXPECT_FALSE(isP256PublicKey("Ag" + std::string(85, 'A')));  // 0x02 first
  EXPECT_FALSE(isP256PublicKey("BA" + std::string(84, 'A')));  // 64 bytes
  EXPECT_FALSE(isP256PublicKey("BA" + std::string(88, 'A')));  // 67 bytes
}

TEST(E2eePayload, CiphertextIsBounded) {
  std::string max((kMaxE2eeKeyCiphertextBytes * 4 + 2) / 3, 'A');  // 2731 characters
  EXPECT_EQ(decodeBase64Url(max)->size(), kMaxE2eeKeyCiphertextBytes);
  EXPECT_TRUE(isCiphertext(max, kMaxE2eeKeyCiphertextBytes));
  EXPECT_FALSE(isCiphertext(max + "AA", kMaxE2eeKeyCiphertextBytes));
  EXPECT_FALSE(isCiphertext("", kMaxE2eeKeyCiphertextBytes));
  EXPECT_FALSE(isCiphertext(std::string(60000, 'A'), kMaxChatCiphertextBytes));
}

TEST(E2eeMessage, ServerMessagesCarryThePayloadsAsSent) {
  EXPECT_EQ(e2eeKeyMessage("p_1", "AQID"), R"({"type":"e2ee_key","from":"p_1","ciphertext":"AQID"})");
  EXPECT_EQ(e2eePublicKeyMessage("p_1", "BA"), R"({"type":"e2ee_public_key","from":"p_1","public_key":"BA"})");
  EXPECT_EQ(errorMessage(ErrorCode::kE2eeUnsupported, "x"), R"({"type":"error","code":"e2ee_unsupported","message":"x"})");
  EXPECT_TRUE(isFatal(ErrorCode::kE2eeUnsupported));
  EXPECT_EQ(closeCodeFor(ErrorCode::kE2eeUnsupported), 4030);
  EXPECT_FALSE(isFatal(ErrorCode::kE2eeInvalidMessage));
  EXPECT_FALSE(isFatal(ErrorCode::kE2eeUnknownRecipient));
  EXPECT_FALSE(isFatal(ErrorCode::kE2eeReplayed));
  EXPECT_STREQ(toString(ErrorCode::kE2eeUnknownRecipient), "e2ee_unknown_recipient");
  EXPECT_STREQ(toString(ErrorCode::kE2eeReplayed), "e2ee_replayed");
  EXPECT_STREQ(toString(ErrorCode::kE2eeInvalidMessage), "e2ee_invalid_message");
}

}  // namespace
}  // namespace medrtc::signaling
