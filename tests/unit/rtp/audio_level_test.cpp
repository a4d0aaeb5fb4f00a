// RFC 6464 client-to-mixer audio level (urn:ietf:params:rtp-hdrext:ssrc-audio-level) as
// the active-speaker detection reads it (sfu/active_speaker.hpp): one byte, V bit then a
// 7-bit level in -dBov, in either RFC 8285 extension form.
#include <gtest/gtest.h>

#include <vector>

#include "rtp/rtp_packet_view.hpp"

namespace medrtc::rtp {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes withOneByteElement(uint8_t id, uint8_t lengthMinusOne, std::initializer_list<uint8_t> data) {
  Bytes b = {0x90, 111, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0xBE, 0xDE, 0x00, 0x01};
  b.push_back(static_cast<uint8_t>((id << 4) | lengthMinusOne));
  b.insert(b.end(), data);
  while ((b.size() - 16) % 4 != 0) {
    b.push_back(0);  // RFC 8285 §4.2 padding
  }
  b[15] = static_cast<uint8_t>((b.size() - 16) / 4);
  b.push_back(0xF8);  // an Opus TOC byte as payload
  return b;
}

TEST(AudioLevel, RfcExampleOneByteFormWithVoiceActivity) {
  // RFC 6464 §3 figure: ID, len=0, then V=1 and level 0x2A (-42 dBov).
  Bytes b = withOneByteElement(1, 0, {0x80 | 42});
  auto p = RtpPacketView::parse(b);
  ASSERT_TRUE(p.ok());
  auto level = p->audioLevel(1);
  ASSERT_TRUE(level.has_value());
  EXPECT_TRUE(level->voiceActivity);
  EXPECT_EQ(level->level, 42);
}

TEST(AudioLevel, SilenceAndTheLoudestLevel) {
  Bytes silent = withOneByteElement(3, 0, {0x7F});  // V=0, 127: silence (muted mic)
  auto p = RtpPacketView::parse(silent);
  ASSERT_TRUE(p.ok());
  EXPECT_FALSE(p->audioLevel(3)->voiceActivity);
  EXPECT_EQ(p->audioLevel(3)->level, 127);
  Bytes loud = withOneByteElement(3, 0, {0x80});  // 0 dBov
  auto q = RtpPacketView::parse(loud);
  ASSERT_TRUE(q.ok());
  EXPECT_EQ(q->audioLevel(3)->level, 0);
}

TEST(AudioLevel, TwoByteForm) {
  // RFC 8285 §4.3: 0x100 + appbits, then id, length, data.
  Bytes b = {0x90, 111, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0x10, 0x00, 0x00, 0x01, 14, 1, 0x80 | 30, 0, 0xF8};
  auto p = RtpPacketView::parse(b);
  ASSERT_TRUE(p.ok());
  auto level = p->audioLevel(14);
  ASSERT_TRUE(level.has_value());
  EXPECT_EQ(level->level, 30);
  EXPECT_TRUE(level->voiceActivity);
}

TEST(AudioLevel, AbsentOrEmptyElementsGiveNoLevel) {
  Bytes b = withOneByteElement(1, 0, {0x85});
  auto p = RtpPacketView::parse(b);
  ASSERT_TRUE(p.ok());
  EXPECT_FALSE(p->audioLevel(2).has_value());  // another id: not negotiated for the level
  EXPECT_FALSE(p->audioLevel(0).has_value());  // id 0 is padding, never an element
  // A two-byte-form element of length 0 carries no level byte.
  Bytes empty = {0x90, 111, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0x10, 0x00, 0x00, 0x01, 14, 0, 0, 0, 0xF8};
  auto q = RtpPacketView::parse(empty);
  ASSERT_TRUE(q.ok());
  EXPECT_FALSE(q->audioLevel(14).has_value());
  // Without an extension block at all.
  Bytes plain = {0x80, 111, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0xF8};
  auto r = RtpPacketView::parse(plain);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->audioLevel(1).has_value());
}

}  // namespace
}  // namespace medrtc::rtp
