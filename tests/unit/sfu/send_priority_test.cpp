#include "sfu/send_priority.hpp"

#include <gtest/gtest.h>

#include "sdp/server_capabilities.hpp"

namespace medrtc::sfu {
namespace {

TEST(SendPriority, OnlyTheCanonicalAudioPayloadTypeIsUrgent) {
  // The shortcut in send_priority.hpp holds only while the table keeps opus on this PT and
  // no video codec on it.
  for (const sdp::ServerCodec& codec : sdp::serverCodecs()) {
    auto expected = codec.kind == "audio" ? net::SendPriority::kUrgent : net::SendPriority::kNormal;
    EXPECT_EQ(sendPriorityOf(static_cast<uint8_t>(codec.payloadType)), expected) << codec.name;
    if (codec.rtxPayloadType) {
      EXPECT_EQ(sendPriorityOf(static_cast<uint8_t>(*codec.rtxPayloadType)), net::SendPriority::kNormal);
    }
  }
}

}  // namespace
}  // namespace medrtc::sfu
