// Issue 15 item 6 (`layer` in the quality figures) through the real media plane: a
// publisher sends three RID simulcast layers (RFC 8852/8853), and the subscriber's
// quality figures name the layer the SFU forwards to it — the top one at first, the middle
// one after the publisher stopped its top layer — while the publisher's own figures,
// which receive nothing, stay at 0.
//
// The synthetic client publishes a single video stream, so the test turns its video
// m-line into a simulcast one (a=rid, a=simulcast, the rtp-stream-id extension) and writes
// each layer's packets itself. Each layer's frames have their own size, so the subscriber
// can tell which layer it receives.
#include <gtest/gtest.h>

#include <array>

#include "call_harness.hpp"
#include "client/local_description.hpp"
#include "client/synthetic_media.hpp"
#include "rtp/rtp_packet_builder.hpp"
#include "sdp/parse.hpp"
#include "sdp/serialize.hpp"
#include "sdp/server_capabilities.hpp"

namespace medrtc::sfu::test {
namespace {

using client::MediaKind;

constexpr uint8_t kRidExtensionId = 4;
constexpr std::array<const char*, 3> kRids{"q", "h", "f"};
constexpr std::array<uint32_t, 3> kLayerSsrcs{0x51000001, 0x51000002, 0x51000003};

// VP8 bytes per frame of layer `layer`: one packet each, of a size only that layer sends.
size_t frameBytes(size_t layer) { return 200 + 150 * layer; }

std::string addSimulcast(std::string offerText) {
  auto offer = sdp::parse(offerText);
  EXPECT_TRUE(offer.ok());
  for (auto& m : offer->media) {
    if (m.kind != "video") {
      continue;
    }
    // As a browser does with RIDs: no a=ssrc lines; the SFU binds SSRCs by RID.
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

// Sends 30 frames/s on each running layer, a keyframe every 300 ms (the synthetic client
// does not answer PLIs for SSRCs it did not offer, so switches must not wait long).
class SimulcastPump {
 public:
  SimulcastPump(net::EventLoop& loop, Endpoint& publisher) : loop_(loop), publisher_(publisher) {}
  ~SimulcastPump() {
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
        send(layer, keyframe);
      }
    }
    ++frame_;
    timer_ = loop_.runAfter(std::chrono::milliseconds(33), [this] { tick(); });
  }

  void send(size_t layer, bool keyframe) {
    client::Vp8FramePacketizer::Frame frame;
    frame.keyframe = keyframe;
    frame.pictureId = static_cast<uint16_t>(frame_ & 0x7FFF);
    frame.frameBytes = frameBytes(layer);
    client::Vp8FramePacketizer packetizer(frame, 1100);
    std::array<uint8_t, 1200> payload{};
    size_t payloadSize = packetizer.write(0, MutableByteView(payload));
    ASSERT_GT(payloadSize, 0u);
    std::array<uint8_t, 1300> packet{};
    rtp::RtpPacketBuilder builder;
    std::string_view mid = client::kVideoMid;
    std::string_view rid = kRids[layer];
    builder.payloadType(client::kVp8PayloadType)
        .marker(true)
        .sequenceNumber(static_cast<uint16_t>(frame_))
        .timestamp(static_cast<uint32_t>(frame_ * 3000))
        .ssrc(kLayerSsrcs[layer])
        .addExtension(client::kMidExtensionId, ByteView(reinterpret_cast<const uint8_t*>(mid.data()), mid.size()))
        .addExtension(kRidExtensionId, ByteView(reinterpret_cast<const uint8_t*>(rid.data()), rid.size()));
    auto size = builder.write(MutableByteView(packet), ByteView(payload.data(), payloadSize));
    ASSERT_TRUE(size);
    // PeerConnection has no raw-send hook; its transport does (the object is not const).
    auto& transport = const_cast<client::ClientTransport&>(publisher_.pub->transport());
    transport.sendRtp(ByteView(packet.data(), *size));
    transport.flush();
  }

  net::EventLoop& loop_;
  Endpoint& publisher_;
  std::array<bool, 3> running_{true, true, true};
  uint64_t frame_ = 0;
  std::optional<net::EventLoop::TimerId> timer_;
};

const ParticipantQuality* figuresOf(const CallHarness::QualityReport& report, const std::string& id) {
  for (const auto& q : report.figures) {
    if (q.participantId == id) {
      return &q;
    }
  }
  return nullptr;
}

// The layer of the last video packet the subscriber received, by its payload size.
std::optional<size_t> lastReceivedLayer(const Endpoint& subscriber) {
  for (auto it = subscriber.received.rbegin(); it != subscriber.received.rend(); ++it) {
    if (it->kind != MediaKind::kVideo) {
      continue;
    }
    // The payload: the VP8 descriptor, the frame, and the synthetic send time.
    for (size_t layer = 0; layer < kRids.size(); ++layer) {
      if (it->payload.size() == client::kVp8DescriptorSize + frameBytes(layer) + client::kSendTimeSize) {
        return layer;
      }
    }
    return std::nullopt;
  }
  return std::nullopt;
}

// Runs until a report newer than `after` gives the subscriber layer `layer`; returns
// that report's index.
std::optional<size_t> waitForReportedLayer(CallHarness& h, size_t after, int layer) {
  std::optional<size_t> found;
  h.runUntil(
      [&] {
        const auto& reports = h.qualityReports();
        for (size_t i = after; i < reports.size(); ++i) {
          const ParticipantQuality* qb = figuresOf(reports[i], "b");
          if (qb != nullptr && qb->layer == layer) {
            found = i;
            return true;
          }
        }
        return false;
      },
      std::chrono::seconds(20));
  return found;
}

TEST(RoomQualityLayer, TheSubscribersReportedLayerFollowsTheForwardedSimulcastLayer) {
  CallHarness h;
  JoinOptions publisher{.publish = true, .subscribe = false};
  publisher.editOffer = addSimulcast;
  Endpoint& a = h.join("r", "a", publisher);
  Endpoint& b = h.join("r", "b", JoinOptions{.publish = false, .subscribe = true});
  ASSERT_TRUE(h.runUntil([&] { return a.pubConnected() && b.subConnected(); }));
  ASSERT_NE(a.publishAnswer.find("a=simulcast:recv q;h;f"), std::string::npos) << a.publishAnswer;

  SimulcastPump pump(h.loop(), a);
  pump.start();
  // A 1:1 subscriber starts on the top layer.
  ASSERT_TRUE(h.runUntil([&] { return b.count(MediaKind::kVideo) >= 20 && lastReceivedLayer(b) == 2u; }))
      << "video received: " << b.count(MediaKind::kVideo) << ", last payload "
      << (b.received.empty() ? 0 : b.received.back().payload.size()) << "\n" << a.publishAnswer;
  auto top = waitForReportedLayer(h, 0, 2);
  ASSERT_TRUE(top) << "no report gave b layer 2; reports: " << h.qualityReports().size();
  EXPECT_EQ(lastReceivedLayer(b), 2u);
  const ParticipantQuality* qa = figuresOf(h.qualityReports()[*top], "a");
  ASSERT_NE(qa, nullptr);
  EXPECT_EQ(qa->layer, 0) << "nothing is forwarded to the publisher";

  // The publisher's encoder stops its top layer: the SFU moves b to the middle one, and
  // the next reports say so.
  pump.stopLayer(2);
  ASSERT_TRUE(h.runUntil([&] { return lastReceivedLayer(b) == 1u; }, std::chrono::seconds(10)))
      << "the SFU did not switch b to the middle layer";
  size_t switchedAt = h.qualityReports().size();
  auto middle = waitForReportedLayer(h, switchedAt, 1);
  ASSERT_TRUE(middle) << "no report after the switch gave b layer 1";
  EXPECT_EQ(lastReceivedLayer(b), 1u);
  EXPECT_TRUE(a.errors.empty() && b.errors.empty());

  // For monitoring: the forwarded layers per worker, never per participant.
  std::vector<metrics::Family> families;
  h.plane().collectMetrics(families);
  bool sawLayers = false;
  for (const auto& f : families) {
    if (f.name == "medrtc_media_forwarded_layer") {
      ASSERT_EQ(f.histograms.size(), 1u);
      EXPECT_EQ(f.histograms[0].labels, (metrics::Labels{{"worker", "0"}}));
      const auto& layers = f.histograms[0].histogram;
      EXPECT_GE(layers.count, 2u) << "b's reports with a layer (a receives no video: not counted)";
      EXPECT_GE(layers.sum, 3.0) << "at least one report at layer 2 and one at layer 1";
      sawLayers = true;
    }
  }
  EXPECT_TRUE(sawLayers);
}

}  // namespace
}  // namespace medrtc::sfu::test
