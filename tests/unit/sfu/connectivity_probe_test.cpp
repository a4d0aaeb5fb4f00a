// Connectivity probes on the real media plane (sfu/connectivity_probe.hpp): a client
// connects to one with ICE-lite, DTLS and SRTP as in a call; its answer offers only the
// path asked for; it is no participant (no room); it goes when the client closes it or its
// lifetime ends; a worker holds a bounded number.
#include <gtest/gtest.h>

#include "client/client_identity.hpp"
#include "client/loop_script.hpp"
#include "client/peer_connection.hpp"
#include "net/event_loop.hpp"
#include "sfu/media_plane.hpp"

namespace medrtc::sfu {
namespace {

using namespace std::chrono_literals;

struct NoEvents final : MediaEvents {
  void onSubscribeOffer(const std::string&, const std::string&, uint32_t, std::string) override {}
  void onMediaFailed(const std::string& roomId, const std::string& participantId, std::string) override {
    failed.push_back(roomId + "/" + participantId);
  }
  std::vector<std::string> failed;
};

struct ProbeFixture {
  explicit ProbeFixture(Micros lifetime = 15s, size_t maxProbes = 256) {
    MediaConfig config;
    config.listenIp = "127.0.0.1";
    config.workers = 1;
    config.probeLifetime = lifetime;
    config.maxProbesPerWorker = maxProbes;
    plane = createMediaPlane(config, [this](std::function<void()> task) { loop.post(std::move(task)); }, events);
  }
  ~ProbeFixture() {
    clients.clear();
    plane.reset();
  }

  bool runUntil(const std::function<bool()>& until, Micros timeout = 10s) {
    return client::runScript(loop, {client::ScriptStep{"condition", until, nullptr}}, timeout).completed;
  }

  // The worker's figure `name` (summed over workers), as /metrics shows it.
  double metric(const std::string& name) {
    std::vector<metrics::Family> out;
    plane->collectMetrics(out);
    double sum = 0;
    for (const auto& f : out) {
      if (f.name == name) {
        for (const auto& s : f.samples) {
          sum += s.value;
        }
      }
    }
    return sum;
  }

  // Opens a probe for a fresh client connection; returns the answer (or the error).
  Result<std::string, MediaError> open(const std::string& id, ProbeCandidates candidates, client::PeerConnection*& pc) {
    clients.push_back(client::PeerConnection::create(loop, client::PeerConnectionConfig{.identity = identity}, nullptr).value());
    pc = clients.back().get();
    std::string offer = pc->createPublishOffer(client::PublishOptions{.audio = true, .video = false});
    std::optional<Result<std::string, MediaError>> answer;
    plane->openProbe(id, candidates, offer, [&](Result<std::string, MediaError> r) { answer = std::move(r); });
    EXPECT_TRUE(runUntil([&] { return answer.has_value(); }));
    return answer.value_or(fail(MediaError::kInternal));
  }

  net::EventLoop loop;
  NoEvents events;
  std::shared_ptr<const client::ClientIdentity> identity = client::ClientIdentity::generate();
  std::unique_ptr<MediaApi> plane;
  std::vector<std::unique_ptr<client::PeerConnection>> clients;
};

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) {
    ++n;
  }
  return n;
}

TEST(ConnectivityProbe, AClientConnectsOverIceAndDtlsAndItIsNoParticipant) {
  ProbeFixture f;
  client::PeerConnection* pc = nullptr;
  auto answer = f.open("p_1", ProbeCandidates::kUdp, pc);
  ASSERT_TRUE(answer.ok());
  EXPECT_EQ(count(*answer, "a=candidate:"), count(*answer, " udp ")) << *answer;
  EXPECT_EQ(count(*answer, "tcptype"), 0u);
  EXPECT_NE(answer->find("a=ice-lite"), std::string::npos);
  ASSERT_TRUE(pc->applyAnswer(*answer).ok());
  ASSERT_TRUE(f.runUntil([&] { return pc->connected(); })) << "ICE/DTLS to the probe did not complete";
  ASSERT_TRUE(f.runUntil([&] { return f.metric("medrtc_probes_connected_total") == 1; }));
  EXPECT_EQ(f.metric("medrtc_probes_active"), 1);
  EXPECT_EQ(f.metric("medrtc_worker_rooms"), 0) << "a probe must not open a room";
  EXPECT_TRUE(f.events.failed.empty()) << "a probe raises no participant events";
  // The browser reads its result and closes: close_notify ends the probe at once.
  pc->close();
  EXPECT_TRUE(f.runUntil([&] { return f.metric("medrtc_probes_active") == 0; }, 3s)) << "the closed probe stayed";
}

TEST(ConnectivityProbe, TcpProbeOffersOnlyPassiveTcpCandidates) {
  ProbeFixture f;
  client::PeerConnection* pc = nullptr;
  auto answer = f.open("p_tcp", ProbeCandidates::kTcp, pc);
  ASSERT_TRUE(answer.ok());
  EXPECT_GE(count(*answer, "a=candidate:"), 1u);
  EXPECT_EQ(count(*answer, "a=candidate:"), count(*answer, " tcp ")) << *answer;
  EXPECT_EQ(count(*answer, "a=candidate:"), count(*answer, "tcptype passive"));
}

TEST(ConnectivityProbe, AProbeNobodyConnectsToIsTornDownAfterItsLifetime) {
  ProbeFixture f(600ms);
  client::PeerConnection* pc = nullptr;
  ASSERT_TRUE(f.open("p_idle", ProbeCandidates::kUdp, pc).ok());
  EXPECT_EQ(f.metric("medrtc_probes_active"), 1);
  Micros opened = f.loop.now();
  ASSERT_TRUE(f.runUntil([&] { return f.metric("medrtc_probes_active") == 0; }, 5s));
  EXPECT_GE(f.loop.now() - opened, 500ms) << "gone before its lifetime";
}

TEST(ConnectivityProbe, AConnectedProbeIsTornDownAfterItsLifetimeToo) {
  ProbeFixture f(1500ms);
  client::PeerConnection* pc = nullptr;
  auto answer = f.open("p_long", ProbeCandidates::kUdp, pc);
  ASSERT_TRUE(answer.ok());
  ASSERT_TRUE(pc->applyAnswer(*answer).ok());
  ASSERT_TRUE(f.runUntil([&] { return pc->connected(); }));
  // The client keeps its consent checks going; the server ends the probe anyway.
  ASSERT_TRUE(f.runUntil([&] { return f.metric("medrtc_probes_active") == 0; }, 6s));
}

TEST(ConnectivityProbe, AWorkerHoldsABoundedNumberAndRefusesBadOffers) {
  ProbeFixture f(15s, 2);
  client::PeerConnection* pc = nullptr;
  EXPECT_TRUE(f.open("p_a", ProbeCandidates::kUdp, pc).ok());
  EXPECT_TRUE(f.open("p_b", ProbeCandidates::kUdp, pc).ok());
  auto third = f.open("p_c", ProbeCandidates::kUdp, pc);
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.error(), MediaError::kTooManyProbes);

  std::optional<Result<std::string, MediaError>> bad;
  f.plane->openProbe("p_bad", ProbeCandidates::kUdp, "not sdp", [&](auto r) { bad = std::move(r); });
  ASSERT_TRUE(f.runUntil([&] { return bad.has_value(); }));
  EXPECT_FALSE(bad->ok());
}

}  // namespace
}  // namespace medrtc::sfu
