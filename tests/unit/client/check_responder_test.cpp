#include "client/check_responder.hpp"

#include <gtest/gtest.h>

#include <array>

#include "ice/stun_message_builder.hpp"

namespace medrtc::client {
namespace {

constexpr char kUfrag[] = "locl";
constexpr char kPassword[] = "local-password-0123456789";

std::array<uint8_t, 256> buffer;

ByteView check(std::string_view username, std::string_view key, bool controlling) {
  ice::TransactionId id{};
  id[0] = 7;
  ice::StunMessageBuilder b(buffer, ice::StunMethod::kBinding, ice::StunClass::kRequest, id);
  b.addUsername(username).addPriority(1234);
  if (controlling) {
    b.addIceControlling(1);
  } else {
    b.addIceControlled(1);
  }
  b.addMessageIntegrity(key).addFingerprint();
  return *b.finish();
}

TEST(CheckResponder, AnswersAControlledPeersCheckWithOurPassword) {
  CheckResponder responder(kUfrag, kPassword);
  const SocketAddress from = *SocketAddress::fromIp("192.0.2.9", 40000);
  auto request = ice::StunMessage::parse(check("locl:peer", kPassword, false));
  ASSERT_TRUE(request);
  auto response = responder.respond(*request, from);
  ASSERT_TRUE(response);
  auto parsed = ice::StunMessage::parse(*response);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->messageClass(), ice::StunClass::kSuccessResponse);
  EXPECT_EQ(parsed->transactionId(), request->transactionId());
  EXPECT_EQ(parsed->xorMappedAddress(), from);
  EXPECT_TRUE(parsed->verifyMessageIntegrity(kPassword));
  EXPECT_TRUE(parsed->verifyFingerprint());
  EXPECT_EQ(responder.answered(), 1U);
}

TEST(CheckResponder, KeepsTheControllingRoleWith487) {
  CheckResponder responder(kUfrag, kPassword);
  auto request = ice::StunMessage::parse(check("locl:peer", kPassword, true));
  auto response = responder.respond(*request, *SocketAddress::fromIp("192.0.2.9", 40000));
  ASSERT_TRUE(response);
  auto parsed = ice::StunMessage::parse(*response);
  EXPECT_EQ(parsed->messageClass(), ice::StunClass::kErrorResponse);
  EXPECT_EQ(parsed->errorCode()->code, 487);
}

TEST(CheckResponder, IgnoresChecksItCannotAuthenticate) {
  CheckResponder responder(kUfrag, kPassword);
  const SocketAddress from = *SocketAddress::fromIp("192.0.2.9", 40000);
  EXPECT_FALSE(responder.respond(*ice::StunMessage::parse(check("locl:peer", "wrong-password-0123456789", false)), from));
  EXPECT_FALSE(responder.respond(*ice::StunMessage::parse(check("other:peer", kPassword, false)), from));
  EXPECT_FALSE(responder.respond(*ice::StunMessage::parse(check("loclx:peer", kPassword, false)), from));
  EXPECT_EQ(responder.answered(), 0U);
}

}  // namespace
}  // namespace medrtc::client
