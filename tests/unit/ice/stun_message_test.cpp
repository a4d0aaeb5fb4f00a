#include "ice/stun_message.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <string>
#include <vector>

#include "ice/crc32.hpp"
#include "ice/stun_message_builder.hpp"
#include "rfc5769_vectors.hpp"

namespace medrtc::ice {
namespace {

ByteView view(const std::vector<uint8_t>& v) { return ByteView(v.data(), v.size()); }

TransactionId rfcTransactionId() {
  return {0xb7, 0xe7, 0xa7, 0x01, 0xbc, 0x34, 0xd6, 0x86, 0xfa, 0x87, 0xdf, 0xae};
}

TEST(Crc32, MatchesZlibCheckValue) {
  const std::string s = "123456789";
  EXPECT_EQ(crc32(ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size())), 0xCBF43926u);
}

TEST(Stun, MessageTypeEncodingMatchesRfc8489) {
  EXPECT_EQ(composeMessageType(StunMethod::kBinding, StunClass::kRequest), 0x0001);
  EXPECT_EQ(composeMessageType(StunMethod::kBinding, StunClass::kIndication), 0x0011);
  EXPECT_EQ(composeMessageType(StunMethod::kBinding, StunClass::kSuccessResponse), 0x0101);
  EXPECT_EQ(composeMessageType(StunMethod::kBinding, StunClass::kErrorResponse), 0x0111);
  for (uint16_t m = 0; m < 0x1000; m += 7) {
    for (uint8_t c = 0; c < 4; ++c) {
      uint16_t t = composeMessageType(static_cast<StunMethod>(m), static_cast<StunClass>(c));
      EXPECT_EQ(static_cast<uint16_t>(methodOf(t)), m);
      EXPECT_EQ(static_cast<uint8_t>(classOf(t)), c);
    }
  }
}

TEST(Stun, LooksLikeStunFollowsRfc7983) {
  EXPECT_TRUE(looksLikeStun(view(rfc5769::kSampleRequest)));
  auto rtp = rfc5769::kSampleRequest;
  rtp[0] = 0x80;
  EXPECT_FALSE(looksLikeStun(view(rtp)));
  auto dtls = rfc5769::kSampleRequest;
  dtls[0] = 22;
  EXPECT_FALSE(looksLikeStun(view(dtls)));
  auto noCookie = rfc5769::kSampleRequest;
  noCookie[4] = 0;
  EXPECT_FALSE(looksLikeStun(view(noCookie)));
  EXPECT_FALSE(looksLikeStun(view(rfc5769::kSampleRequest).first(19)));
}

TEST(Stun, ParsesRfc5769SampleRequest) {
  auto msg = StunMessage::parse(view(rfc5769::kSampleRequest));
  ASSERT_TRUE(msg.ok()) << toString(msg.error());
  EXPECT_EQ(msg->method(), StunMethod::kBinding);
  EXPECT_EQ(msg->messageClass(), StunClass::kRequest);
  EXPECT_EQ(msg->transactionId(), rfcTransactionId());
  EXPECT_EQ(msg->software(), "STUN test client");
  EXPECT_EQ(msg->priority(), 0x6e0001ffu);
  EXPECT_EQ(msg->iceControlled(), 0x932ff9b151263b36ull);
  EXPECT_FALSE(msg->iceControlling().has_value());
  EXPECT_FALSE(msg->useCandidate());
  EXPECT_EQ(msg->username(), "evtj:h6vY");
  EXPECT_EQ(msg->attributeCount(), 6u);
  EXPECT_FALSE(msg->hasUnknownComprehensionRequired());
  EXPECT_TRUE(msg->verifyMessageIntegrity(rfc5769::kShortTermPassword));
  EXPECT_TRUE(msg->verifyFingerprint());
}

TEST(Stun, ParsesRfc5769Ipv4Response) {
  auto msg = StunMessage::parse(view(rfc5769::kIpv4Response));
  ASSERT_TRUE(msg.ok()) << toString(msg.error());
  EXPECT_EQ(msg->messageClass(), StunClass::kSuccessResponse);
  EXPECT_EQ(msg->software(), "test vector");
  auto mapped = msg->xorMappedAddress();
  ASSERT_TRUE(mapped.has_value());
  EXPECT_EQ(*mapped, *SocketAddress::fromIp("192.0.2.1", 32853));
  EXPECT_TRUE(msg->verifyMessageIntegrity(rfc5769::kShortTermPassword));
  EXPECT_TRUE(msg->verifyFingerprint());
}

TEST(Stun, ParsesRfc5769Ipv6Response) {
  auto msg = StunMessage::parse(view(rfc5769::kIpv6Response));
  ASSERT_TRUE(msg.ok()) << toString(msg.error());
  auto mapped = msg->xorMappedAddress();
  ASSERT_TRUE(mapped.has_value());
  EXPECT_EQ(*mapped, *SocketAddress::fromIp("2001:db8:1234:5678:11:2233:4455:6677", 32853));
  EXPECT_TRUE(msg->verifyMessageIntegrity(rfc5769::kShortTermPassword));
  EXPECT_TRUE(msg->verifyFingerprint());
}

TEST(Stun, VerifiesRfc5769LongTermRequestWithMd5Key) {
  auto msg = StunMessage::parse(view(rfc5769::kLongTermRequest));
  ASSERT_TRUE(msg.ok()) << toString(msg.error());
  EXPECT_EQ(msg->username(), "\xe3\x83\x9e\xe3\x83\x88\xe3\x83\xaa\xe3\x83\x83\xe3\x82\xaf\xe3\x82\xb9");
  EXPECT_FALSE(msg->hasFingerprint());
  // RFC 8489 §9.2.2: key = MD5(username ":" realm ":" SASLprep(password)).
  std::string input = std::string(*msg->username()) + ":example.org:TheMatrIX";
  uint8_t md5[EVP_MAX_MD_SIZE];
  unsigned int md5Len = 0;
  ASSERT_EQ(EVP_Digest(input.data(), input.size(), md5, &md5Len, EVP_md5(), nullptr), 1);
  EXPECT_TRUE(msg->verifyMessageIntegrity(std::string_view(reinterpret_cast<const char*>(md5), md5Len)));
  EXPECT_FALSE(msg->verifyMessageIntegrity("TheMatrIX"));
}

TEST(Stun, RebuildsRfc5769SampleRequestByteForByte) {
  std::vector<uint8_t> buf(StunMessageBuilder::kRecommendedBufferSize);
  StunMessageBuilder b(buf, StunMethod::kBinding, StunClass::kRequest, rfcTransactionId());
  b.setPaddingByte(0x20);
  b.addSoftware("STUN test client")
      .addPriority(0x6e0001ff)
      .addIceControlled(0x932ff9b151263b36ull)
      .addUsername("evtj:h6vY")
      .addMessageIntegrity(rfc5769::kShortTermPassword)
      .addFingerprint();
  auto out = b.finish();
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(std::vector<uint8_t>(out->begin(), out->end()), rfc5769::kSampleRequest);
}

TEST(Stun, RebuildsRfc5769ResponsesByteForByte) {
  struct Case {
    const char* ip;
    const std::vector<uint8_t>* expected;
  };
  for (const Case& c : {Case{"192.0.2.1", &rfc5769::kIpv4Response},
                        Case{"2001:db8:1234:5678:11:2233:4455:6677", &rfc5769::kIpv6Response}}) {
    std::vector<uint8_t> buf(StunMessageBuilder::kRecommendedBufferSize);
    StunMessageBuilder b(buf, StunMethod::kBinding, StunClass::kSuccessResponse, rfcTransactionId());
    b.setPaddingByte(0x20);
    b.addSoftware("test vector")
        .addXorMappedAddress(*SocketAddress::fromIp(c.ip, 32853))
        .addMessageIntegrity(rfc5769::kShortTermPassword)
        .addFingerprint();
    auto out = b.finish();
    ASSERT_TRUE(out.ok());
    EXPECT_EQ(std::vector<uint8_t>(out->begin(), out->end()), *c.expected) << c.ip;
  }
}

TEST(Stun, RoundTripsEveryAttribute) {
  TransactionId tid{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  std::vector<uint8_t> buf(StunMessageBuilder::kRecommendedBufferSize);
  StunMessageBuilder b(buf, StunMethod::kBinding, StunClass::kErrorResponse, tid);
  b.addUsername("abc:de")
      .addPriority(12345)
      .addUseCandidate()
      .addIceControlling(0x0102030405060708ull)
      .addXorMappedAddress(*SocketAddress::fromIp("10.1.2.3", 50000))
      .addErrorCode(487, "Role Conflict")
      .addSoftware("medrtc")
      .addMessageIntegrity("secret")
      .addFingerprint();
  auto out = b.finish();
  ASSERT_TRUE(out.ok());
  auto msg = StunMessage::parse(*out);
  ASSERT_TRUE(msg.ok()) << toString(msg.error());
  EXPECT_EQ(msg->messageClass(), StunClass::kErrorResponse);
  EXPECT_EQ(msg->transactionId(), tid);
  EXPECT_EQ(msg->username(), "abc:de");
  EXPECT_EQ(msg->priority(), 12345u);
  EXPECT_TRUE(msg->useCandidate());
  EXPECT_EQ(msg->iceControlling(), 0x0102030405060708ull);
  EXPECT_EQ(msg->xorMappedAddress(), SocketAddress::fromIp("10.1.2.3", 50000));
  ASSERT_TRUE(msg->errorCode().has_value());
  EXPECT_EQ(msg->errorCode()->code, 487);
  EXPECT_EQ(msg->errorCode()->reason, "Role Conflict");
  EXPECT_EQ(msg->software(), "medrtc");
  EXPECT_TRUE(msg->verifyMessageIntegrity("secret"));
  EXPECT_FALSE(msg->verifyMessageIntegrity("Secret"));
  EXPECT_TRUE(msg->verifyFingerprint());
}

TEST(Stun, RejectsEveryTruncationOfAValidMessage) {
  for (const auto* vec : {&rfc5769::kSampleRequest, &rfc5769::kIpv4Response, &rfc5769::kIpv6Response,
                          &rfc5769::kLongTermRequest}) {
    for (size_t n = 0; n < vec->size(); ++n) {
      EXPECT_FALSE(StunMessage::parse(ByteView(vec->data(), n)).ok()) << "length " << n;
    }
  }
}

TEST(Stun, RejectsTruncationEvenWhenHeaderLengthIsPatched) {
  // A length field that agrees with a cut datagram must still fail on the attributes.
  const auto& vec = rfc5769::kSampleRequest;
  for (size_t n = kStunHeaderSize + 4; n < vec.size(); n += 4) {
    std::vector<uint8_t> cut(vec.begin(), vec.begin() + static_cast<long>(n));
    writeU16(cut.data() + 2, static_cast<uint16_t>(n - kStunHeaderSize));
    auto msg = StunMessage::parse(cut);
    if (msg.ok()) {
      // Cut exactly at an attribute boundary: valid STUN, but it lost its integrity.
      EXPECT_FALSE(msg->verifyMessageIntegrity(rfc5769::kShortTermPassword) && msg->verifyFingerprint());
    }
  }
}

TEST(Stun, RejectsBadHeaderFields) {
  auto tooLong = rfc5769::kSampleRequest;
  tooLong.push_back(0);
  EXPECT_EQ(StunMessage::parse(tooLong).error(), StunError::kBadLength);
  auto oddLength = rfc5769::kSampleRequest;
  oddLength[3] = 0x57;
  EXPECT_EQ(StunMessage::parse(oddLength).error(), StunError::kBadLength);
  auto topBits = rfc5769::kSampleRequest;
  topBits[0] = 0x40;
  EXPECT_EQ(StunMessage::parse(topBits).error(), StunError::kNotStun);
  auto cookie = rfc5769::kSampleRequest;
  cookie[7] ^= 1;
  EXPECT_EQ(StunMessage::parse(cookie).error(), StunError::kNotStun);
  EXPECT_EQ(StunMessage::parse(ByteView(rfc5769::kSampleRequest.data(), 10)).error(), StunError::kTooShort);
}

TEST(Stun, RejectsTamperedIntegrityAndFingerprint) {
  // Flip each byte covered by MESSAGE-INTEGRITY; the HMAC must catch it.
  const auto& vec = rfc5769::kSampleRequest;
  const size_t miStart = vec.size() - 8 - 24;
  for (size_t i = 0; i < miStart + 24; ++i) {
    if (i == 2 || i == 3) {
      continue;  // the length field: parse rejects that anyway
    }
    auto bad = vec;
    bad[i] ^= 0x01;
    auto msg = StunMessage::parse(bad);
    if (!msg.ok()) {
      continue;
    }
    EXPECT_FALSE(msg->verifyMessageIntegrity(rfc5769::kShortTermPassword) && msg->verifyFingerprint()) << i;
  }
  auto badFp = vec;
  badFp.back() ^= 0x80;
  auto msg = StunMessage::parse(badFp);
  ASSERT_TRUE(msg.ok());
  EXPECT_TRUE(msg->verifyMessageIntegrity(rfc5769::kShortTermPassword));
  EXPECT_FALSE(msg->verifyFingerprint());
}

TEST(Stun, IgnoresAttributesAfterMessageIntegrity) {
  TransactionId tid{};
  std::vector<uint8_t> buf(256);
  StunMessageBuilder b(buf, StunMethod::kBinding, StunClass::kRequest, tid);
  b.addUsername("a:b").addMessageIntegrity("pw").addPriority(7).addUseCandidate().addFingerprint();
  auto out = b.finish();
  ASSERT_TRUE(out.ok());
  auto msg = StunMessage::parse(*out);
  ASSERT_TRUE(msg.ok());
  // RFC 8489 §14.5: PRIORITY and USE-CANDIDATE after MI are not protected and are ignored.
  EXPECT_FALSE(msg->priority().has_value());
  EXPECT_FALSE(msg->useCandidate());
  EXPECT_TRUE(msg->verifyMessageIntegrity("pw"));
  EXPECT_TRUE(msg->verifyFingerprint());
}

TEST(Stun, RejectsAttributeAfterFingerprint) {
  TransactionId tid{};
  std::vector<uint8_t> buf(256);
  StunMessageBuilder b(buf, StunMethod::kBinding, StunClass::kRequest, tid);
  b.addFingerprint().addPriority(1);
  EXPECT_EQ(StunMessage::parse(*b.finish()).error(), StunError::kFingerprintNotLast);
}

TEST(Stun, RejectsMalformedAttributeValues) {
  TransactionId tid{};
  std::vector<uint8_t> buf(2048);
  auto build = [&](uint16_t type, std::vector<uint8_t> value) {
    StunMessageBuilder b(buf, StunMethod::kBinding, StunClass::kRequest, tid);
    b.addAttribute(type, value);
    return StunMessage::parse(*b.finish());
  };
  EXPECT_EQ(build(attr::kPriority, {1, 2, 3}).error(), StunError::kBadAttribute);
  EXPECT_EQ(build(attr::kUseCandidate, {1}).error(), StunError::kBadAttribute);
  EXPECT_EQ(build(attr::kIceControlling, {1, 2, 3, 4}).error(), StunError::kBadAttribute);
  EXPECT_EQ(build(attr::kMessageIntegrity, std::vector<uint8_t>(19)).error(), StunError::kBadAttribute);
  EXPECT_EQ(build(attr::kFingerprint, {1, 2}).error(), StunError::kBadAttribute);
  EXPECT_EQ(build(attr::kXorMappedAddress, {0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}).error(), StunError::kBadAttribute);
  EXPECT_EQ(build(attr::kXorMappedAddress, {0, 3, 0, 0, 0, 0, 0, 0}).error(), StunError::kBadAttribute);
  EXPECT_EQ(build(attr::kErrorCode, {0, 0, 7, 0}).error(), StunError::kBadAttribute);
  EXPECT_EQ(build(attr::kErrorCode, {0, 0, 4, 100}).error(), StunError::kBadAttribute);
  EXPECT_EQ(build(attr::kUsername, std::vector<uint8_t>(kMaxUsernameLength + 1, 'a')).error(),
            StunError::kAttributeTooLong);
  EXPECT_EQ(build(attr::kSoftware, std::vector<uint8_t>(kMaxTextLength + 1, 'a')).error(),
            StunError::kAttributeTooLong);
  EXPECT_TRUE(build(attr::kUsername, std::vector<uint8_t>(kMaxUsernameLength, 'a')).ok());
}

TEST(Stun, RejectsAttributeOverrunningTheMessage) {
  auto bad = rfc5769::kIpv4Response;
  bad[23] = 0xF0;  // SOFTWARE claims 240 bytes
  EXPECT_EQ(StunMessage::parse(bad).error(), StunError::kBadAttribute);
}

TEST(Stun, CapsAttributeCount) {
  TransactionId tid{};
  std::vector<uint8_t> buf(1024);
  StunMessageBuilder b(buf, StunMethod::kBinding, StunClass::kRequest, tid);
  for (size_t i = 0; i <= StunMessage::kMaxAttributes; ++i) {
    b.addAttribute(0x8050, {});
  }
  EXPECT_EQ(StunMessage::parse(*b.finish()).error(), StunError::kTooManyAttributes);
}

TEST(Stun, KeepsFirstOccurrenceAndFlagsUnknownComprehensionRequired) {
  TransactionId tid{};
  std::vector<uint8_t> buf(256);
  StunMessageBuilder b(buf, StunMethod::kBinding, StunClass::kRequest, tid);
  b.addPriority(1).addPriority(2).addAttribute(0x7777, {});
  auto msg = StunMessage::parse(*b.finish());
  ASSERT_TRUE(msg.ok());
  EXPECT_EQ(msg->priority(), 1u);
  EXPECT_TRUE(msg->hasUnknownComprehensionRequired());
}

TEST(StunBuilder, ReportsBufferTooSmall) {
  TransactionId tid{};
  std::vector<uint8_t> buf(40);
  StunMessageBuilder b(buf, StunMethod::kBinding, StunClass::kRequest, tid);
  b.addUsername("a-rather-long-username:exceeding-the-buffer").addFingerprint();
  EXPECT_FALSE(b.ok());
  EXPECT_EQ(b.finish().error(), StunError::kBufferTooSmall);
  std::vector<uint8_t> tiny(10);
  EXPECT_EQ(StunMessageBuilder(tiny, StunMethod::kBinding, StunClass::kRequest, tid).finish().error(),
            StunError::kBufferTooSmall);
}

TEST(StunBuilder, RejectsInvalidErrorCode) {
  TransactionId tid{};
  std::vector<uint8_t> buf(256);
  StunMessageBuilder b(buf, StunMethod::kBinding, StunClass::kErrorResponse, tid);
  b.addErrorCode(200, "OK");
  EXPECT_EQ(b.finish().error(), StunError::kBadAttribute);
}

TEST(StunError, HasNames) { EXPECT_STREQ(toString(StunError::kBadLength), "stun_bad_length"); }

}  // namespace
}  // namespace medrtc::ice
