// A simulcast layer switch renumbers the new layer's VP8 frames (PictureID, TL0PICIDX) on
// from the newest frame sent (LayerForwarder), and a retransmission must carry the number
// its first copy had. Chromium pads the packets of its bandwidth probes with RTP padding
// (RFC 3550 §5.1); a padded packet retransmitted with the layer's own PictureID can repeat
// one the subscriber decoded already, and a frame start so numbered is dropped as old
// (the very failure the renumbering fixed). The plain retransmission keeps the padding,
// the RTX one has none (RFC 4588 §4), so the descriptor is somewhere else from the end.
//
// Through the real media plane: a publisher sends three RID layers whose frames share a
// PictureID (as Chromium's do), every frame packet padded and a padding-only packet now and
// then; its top layer stops, the subscriber is moved to the middle one, loses a padded
// packet and asks for it again (NACK, RFC 4585 §6.2.1), plainly or over RTX.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>

#include "call_harness.hpp"
#include "client/local_description.hpp"
#include "client/synthetic_media.hpp"
#include "rtp/demux.hpp"
#include "rtp/rtp_packet_builder.hpp"
#include "sdp/parse.hpp"
#include "sdp/serialize.hpp"
#include "sdp/server_capabilities.hpp"

namespace medrtc::sfu::test {
namespace {

using client::MediaKind;

constexpr uint8_t kRidExtensionId = 4;
constexpr std::array<const char*, 3> kRids{"q", "h", "f"};
constexpr std::array<uint32_t, 3> kLayerSsrcs{0x52000001, 0x52000002, 0x52000003};
// RFC 7741 §4.2 with X, I (15-bit PictureID) and L (TL0PICIDX): 5 bytes.
constexpr size_t kDescriptorSize = 5;
constexpr uint8_t kPadding = 40;          // on every frame packet
constexpr uint8_t kPaddingOnly = 200;     // the padding-only packets' size past the header
constexpr size_t kSmallestFramePacket = 300;  // on the wire: more than any padding-only packet

// VP8 bytes per frame of layer `layer`: one packet each, of a size only that layer sends.
size_t frameBytes(size_t layer) { return 200 + 150 * layer; }

std::string addSimulcast(std::string offerText) {
  auto offer = sdp::parse(offerText);
  EXPECT_TRUE(offer.ok());
  for (auto& m : offer->media) {
    if (m.kind != "video") {
      continue;
    }
    m.ssrcs.clear();
    m.ssrcGroups.clear();
    m.extensions.push_back(sdp::ExtMap{kRidExtensionId, std::string(sdp::kExtRtpStreamId), std::nullopt, ""});
    sdp::Simulcast simulcast;
    for (const char* rid : kRids) {
      m.rids.push_back(sdp::Rid{rid, "send", ""});
      simulcast.send.push_back({rid});
    }
    m.simulcast = simulcast;
  }
  return sdp::serialize(*offer);
}

// 30 frames/s on each running layer, a keyframe every 300 ms, one padded packet per frame;
// the same PictureID on every layer, TL0PICIDX counted per layer from its own start.
class PaddedSimulcastPump {
 public:
  PaddedSimulcastPump(net::EventLoop& loop, Endpoint& publisher) : loop_(loop), publisher_(publisher) {}
  ~PaddedSimulcastPump() {
    if (timer_) {
      loop_.cancelTimer(*timer_);
    }
  }
  void start() { tick(); }
  void stopLayer(size_t layer) { running_[layer] = false; }

 private:
  void tick() {
    bool keyframe = frame_ % 9 == 0;
    for (size_t layer = 0; layer < kRids.size(); ++layer) {
      if (running_[layer]) {
        sendFrame(layer, keyframe);
        if (frame_ % 4 == 1) {
          send(layer, {}, kPaddingOnly);  // a padding-only packet has no VP8 payload at all
        }
      }
    }
    ++frame_;
    timer_ = loop_.runAfter(std::chrono::milliseconds(33), [this] { tick(); });
  }

  void sendFrame(size_t layer, bool keyframe) {
    std::array<uint8_t, 1200> payload{};
    auto pictureId = static_cast<uint16_t>(frame_ & 0x7FFF);
    payload[0] = 0x90;  // X=1, S=1, PID=0
    payload[1] = 0xC0;  // I=1, L=1
    payload[2] = static_cast<uint8_t>(0x80 | (pictureId >> 8));
    payload[3] = static_cast<uint8_t>(pictureId);
    payload[4] = static_cast<uint8_t>(frame_ + 100 * layer);
    uint8_t* vp8 = payload.data() + kDescriptorSize;
    vp8[0] = keyframe ? 0x00 : 0x01;  // RFC 7741 §4.3: P=0 marks a key frame
    if (keyframe) {
      vp8[3] = 0x9d;  // RFC 6386 §9.1 start code
      vp8[4] = 0x01;
      vp8[5] = 0x2a;
    }
    send(layer, ByteView(payload.data(), kDescriptorSize + frameBytes(layer)), kPadding);
  }

  void send(size_t layer, ByteView payload, uint8_t padding) {
    std::array<uint8_t, 1500> packet{};
    rtp::RtpPacketBuilder builder;
    std::string_view mid = client::kVideoMid;
    std::string_view rid = kRids[layer];
    builder.payloadType(client::kVp8PayloadType)
        .marker(!payload.empty())
        .sequenceNumber(sequence_[layer]++)
        .timestamp(static_cast<uint32_t>(frame_ * 3000))
        .ssrc(kLayerSsrcs[layer])
        .padding(padding)
        .addExtension(client::kMidExtensionId, ByteView(reinterpret_cast<const uint8_t*>(mid.data()), mid.size()))
        .addExtension(kRidExtensionId, ByteView(reinterpret_cast<const uint8_t*>(rid.data()), rid.size()));
    auto size = builder.write(MutableByteView(packet), payload);
    ASSERT_TRUE(size);
    // PeerConnection has no raw-send hook; its transport does (the object is not const).
    auto& transport = const_cast<client::ClientTransport&>(publisher_.pub->transport());
    transport.sendRtp(ByteView(packet.data(), *size));
    transport.flush();
  }

  net::EventLoop& loop_;
  Endpoint& publisher_;
  std::array<bool, 3> running_{true, true, true};
  std::array<uint16_t, 3> sequence_{100, 20000, 40000};
  uint64_t frame_ = 0;
  std::optional<net::EventLoop::TimerId> timer_;
};

struct Vp8Numbers {
  uint16_t pictureId;
  uint8_t tl0PicIdx;
};

// The numbering of a frame packet's payload (nullopt: padding only, or not ours).
std::optional<Vp8Numbers> numbersOf(ByteView payload) {
  if (payload.size() < kDescriptorSize || payload[1] != 0xC0 || (payload[2] & 0x80) == 0) {
    return std::nullopt;
  }
  return Vp8Numbers{static_cast<uint16_t>(((payload[2] & 0x7F) << 8) | payload[3]), payload[4]};
}

std::optional<size_t> layerOf(const ReceivedRtp& r) {
  for (size_t layer = 0; layer < kRids.size(); ++layer) {
    if (r.payload.size() == kDescriptorSize + frameBytes(layer)) {
      return layer;
    }
  }
  return std::nullopt;
}

std::optional<size_t> lastReceivedLayer(const Endpoint& subscriber) {
  for (auto it = subscriber.received.rbegin(); it != subscriber.received.rend(); ++it) {
    if (it->kind == MediaKind::kVideo && !it->payload.empty()) {
      return layerOf(*it);
    }
  }
  return std::nullopt;
}

// The switch, the loss and its retransmission (over RTX when `rtx`); checks the numbering
// of every frame b received, the retransmitted one included.
void runSwitchLossAndRetransmission(bool rtx) {
  CallHarness h;
  JoinOptions publisher{.publish = true, .subscribe = false};
  publisher.editOffer = addSimulcast;
  Endpoint& a = h.join("r", "a", publisher);
  JoinOptions subscriber{.publish = false, .subscribe = true, .relaySubscriber = true};
  subscriber.pc.acceptRtx = rtx;
  Endpoint& b = h.join("r", "b", subscriber);
  ASSERT_TRUE(h.runUntil([&] { return a.pubConnected() && b.subConnected(); }));
  ASSERT_NE(a.publishAnswer.find("a=simulcast:recv q;h;f"), std::string::npos) << a.publishAnswer;

  PaddedSimulcastPump pump(h.loop(), a);
  pump.start();
  ASSERT_TRUE(h.runUntil([&] { return b.count(MediaKind::kVideo) >= 20 && lastReceivedLayer(b) == 2u; }))
      << "the subscriber did not start on the top layer";
  pump.stopLayer(2);
  ASSERT_TRUE(h.runUntil([&] { return lastReceivedLayer(b) == 1u; }, std::chrono::seconds(10)))
      << "the SFU did not switch the subscriber to the middle layer";
  uint32_t consumerSsrc = 0;
  for (const ReceivedRtp& r : b.received) {
    if (r.kind == MediaKind::kVideo && layerOf(r)) {
      consumerSsrc = r.ssrc;
    }
  }
  ASSERT_NE(consumerSsrc, 0u);

  // The fifth frame packet of the new layer from now on is lost on its way to b.
  int framePackets = 0;
  std::optional<uint16_t> lostSeq;
  b.relay->dropToClient = [&](ByteView d) {
    if (d.size() < kSmallestFramePacket || d[0] < 128 || d[0] > 191 || rtp::isRtcp(d) ||
        readU32(&d[8]) != consumerSsrc || ++framePackets != 5) {
      return false;
    }
    lostSeq = readU16(&d[2]);
    return true;
  };
  ASSERT_TRUE(h.runUntil([&] { return lostSeq && framePackets >= 10; }));
  uint16_t seqs[] = {*lostSeq};
  ASSERT_TRUE(b.sub->sendNack(consumerSsrc, seqs));

  // The retransmitted payload: on the media stream under the lost number, or on the rtx
  // stream behind its OSN (RFC 4588 §4).
  auto retransmitted = [&]() -> std::optional<std::vector<uint8_t>> {
    for (const ReceivedRtp& r : b.received) {
      if (!rtx && r.ssrc == consumerSsrc && r.sequenceNumber == *lostSeq) {
        return r.payload;
      }
      if (rtx && r.ssrc != consumerSsrc && r.payload.size() >= 2 + kDescriptorSize &&
          readU16(r.payload.data()) == *lostSeq) {
        return std::vector<uint8_t>(r.payload.begin() + 2, r.payload.end());
      }
    }
    return std::nullopt;
  };
  ASSERT_TRUE(h.runUntil([&] { return retransmitted().has_value(); }, std::chrono::seconds(3)))
      << "no retransmission of " << *lostSeq << " reached the subscriber";
  std::vector<uint8_t> again = *retransmitted();
  ASSERT_EQ(again.size(), kDescriptorSize + frameBytes(1)) << "the payload, without padding";

  // The frames b received first hand, in order: the numbering runs on by one across the
  // switch (padded packets too) and skips only the lost packet's frame.
  std::vector<std::pair<uint16_t, Vp8Numbers>> frames;
  for (const ReceivedRtp& r : b.received) {
    if (r.ssrc != consumerSsrc) {
      continue;
    }
    if (auto n = numbersOf(r.payload)) {
      frames.emplace_back(r.sequenceNumber, *n);
    }
  }
  std::optional<Vp8Numbers> expected;
  for (size_t i = 1; i < frames.size(); ++i) {
    auto [seq, n] = frames[i];
    if (seq == *lostSeq) {
      continue;  // the retransmission, checked below
    }
    auto [previousSeq, previous] = frames[i - 1];
    bool lostBetween = static_cast<int16_t>(*lostSeq - previousSeq) > 0 && static_cast<int16_t>(seq - *lostSeq) > 0;
    int step = lostBetween ? 2 : 1;
    EXPECT_EQ(n.pictureId, (previous.pictureId + step) & 0x7FFF) << "packet " << seq << " after " << previousSeq;
    EXPECT_EQ(n.tl0PicIdx, static_cast<uint8_t>(previous.tl0PicIdx + step)) << "packet " << seq;
    if (lostBetween) {
      expected = Vp8Numbers{static_cast<uint16_t>((previous.pictureId + 1) & 0x7FFF),
                            static_cast<uint8_t>(previous.tl0PicIdx + 1)};
    }
  }
  ASSERT_TRUE(expected) << "the lost packet's neighbours were not received";
  EXPECT_TRUE(std::any_of(b.received.begin(), b.received.end(),
                          [&](const ReceivedRtp& r) { return r.ssrc == consumerSsrc && r.payload.empty(); }))
      << "padding-only packets are forwarded as they are";
  auto numbers = numbersOf(ByteView(again.data(), again.size()));
  ASSERT_TRUE(numbers);
  EXPECT_EQ(numbers->pictureId, expected->pictureId)
      << "the retransmission carries the layer's own PictureID, not the one its frame was sent with";
  EXPECT_EQ(numbers->tl0PicIdx, expected->tl0PicIdx);
  EXPECT_TRUE(a.errors.empty() && b.errors.empty());
}

TEST(SimulcastVp8Padding, APaddedPacketRetransmittedOnTheMediaStreamKeepsItsNewNumbering) {
  runSwitchLossAndRetransmission(false);
}

TEST(SimulcastVp8Padding, APaddedPacketRetransmittedOverRtxKeepsItsNewNumbering) {
  runSwitchLossAndRetransmission(true);
}

}  // namespace
}  // namespace medrtc::sfu::test
