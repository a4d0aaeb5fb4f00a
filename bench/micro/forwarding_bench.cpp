// Packets forwarded per second of worker CPU: the SFU's core cost figure.
//
// BM_ForwardingOverSockets/N: one real media plane worker (its own thread, UDP socket,
//   ICE-lite/DTLS/SRTP), one synthetic publisher sending bursts of 1,100-byte-payload VP8
//   packets (4 frames × 8 packets) plus one Opus packet, and N synthetic subscribers, all
//   clients on this thread's event loop over loopback. Each iteration sends one burst and
//   waits (≤ 20 ms) until every subscriber got it. Counters: fwd_pkts_per_cpu_sec =
//   packets the subscribers received / CPU time of the worker thread (its thread CPU clock),
//   worker_ns_per_fwd_pkt, worker_cpu_util (worker CPU / wall), loss.
// BM_PathUnprotect, BM_PathRoute/N, BM_PathProtect/N, BM_PathInProcess/N: the same path
//   without sockets, per incoming packet: SRTP unprotect, routing (parse, Producer::receive
//   with stats and NACK cache, PT map, keyframe check, and per subscriber the copy and
//   header rewrite Consumer::forward → WebRtcTransport::sendRtp do), SRTP protect per
//   subscriber, and all three in sequence.
// BM_UdpLoopback32: reference — UdpSocket send + receive of 1,100-byte datagrams in
//   batches of 32 over loopback (sendmmsg/recvmmsg), the kernel's share of the budget.
#include <benchmark/benchmark.h>
#include <spdlog/spdlog.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <dirent.h>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "client/loop_script.hpp"
#include "client/peer_connection.hpp"
#include "client/synthetic_media.hpp"
#include "net/event_loop.hpp"
#include "net/udp_socket.hpp"
#include "rtp/rtp_packet_builder.hpp"
#include "rtp/rtp_packet_view.hpp"
#include "sdp/session_description.hpp"
#include "sfu/media_plane.hpp"
#include "sfu/producer.hpp"
#include "srtp/srtp_session.hpp"

namespace {

using namespace medrtc;
using namespace std::chrono_literals;

constexpr size_t kPayload = 1100;
constexpr int kFramesPerBurst = 4;
constexpr int kPacketsPerFrame = 8;

// The largest VP8 frame that the client packetizer splits into kPacketsPerFrame packets of
// at most kPayload bytes: so the video packets carry ~1,100-byte payloads.
size_t frameBytesForFullPackets() {
  client::Vp8FramePacketizer::Frame frame;
  for (size_t bytes = kPacketsPerFrame * kPayload; bytes > 0; --bytes) {
    frame.frameBytes = bytes;
    if (client::Vp8FramePacketizer(frame, kPayload).packetCount() == kPacketsPerFrame) {
      return bytes;
    }
  }
  return kPacketsPerFrame * 1000;
}

pid_t currentTid() { return static_cast<pid_t>(::syscall(SYS_gettid)); }

// CPU time of any thread of this process (what glibc's pthread_getcpuclockid builds:
// MAKE_THREAD_CPUCLOCK(tid, CPUCLOCK_SCHED)).
int64_t threadCpuNanos(pid_t tid) {
  clockid_t clock = static_cast<clockid_t>((~static_cast<unsigned>(tid)) << 3) | 6;
  timespec ts{};
  if (clock_gettime(clock, &ts) != 0) {
    return -1;
  }
  return static_cast<int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// --- over sockets ---

class Call final : public sfu::MediaEvents, public client::PeerConnection::Listener {
 public:
  explicit Call(int subscribers) : mainTid_(currentTid()), frameBytes_(frameBytesForFullPackets()) {
    spdlog::set_level(spdlog::level::warn);
    sfu::MediaConfig config;
    config.listenIp = "127.0.0.1";
    config.workers = 1;
    // The worker thread calls the poster for every completion: that is where we learn its id.
    plane_ = sfu::createMediaPlane(
        config,
        [this](std::function<void()> task) {
          pid_t tid = currentTid();
          if (tid != mainTid_) {
            workerTid_.store(tid);
          }
          loop_.post(std::move(task));
        },
        *this);
    auto identity = client::ClientIdentity::generate();
    client::PeerConnectionConfig pcConfig;
    pcConfig.identity = identity;
    pcConfig.media.maxRtpPayload = kPayload;
    publisher_ = client::PeerConnection::create(loop_, pcConfig, this).value();
    for (int i = 0; i < subscribers; ++i) {
      subscribers_.push_back(client::PeerConnection::create(loop_, pcConfig, this).value());
    }
    plane_->openRoom("bench");
    plane_->addParticipant("bench", "pub", sfu::ParticipantGrants{true, false}, std::nullopt, [](auto) {});
    for (int i = 0; i < subscribers; ++i) {
      std::string id = std::to_string(i);
      id.insert(id.begin(), 's');
      plane_->addParticipant("bench", id, sfu::ParticipantGrants{false, true}, std::nullopt, [](auto) {});
    }
    plane_->publish("bench", "pub", publisher_->createPublishOffer(), [this](Result<std::string, sfu::MediaError> r) {
      if (!r.ok() || !publisher_->applyAnswer(*r).ok()) {
        failed_ = true;
      }
    });
  }

  ~Call() override {
    subscribers_.clear();
    publisher_.reset();
    plane_.reset();
  }

  // Connects everyone and gets video flowing (a keyframe first). False on timeout.
  bool start() {
    auto all = [this] {
      if (!publisher_->connected()) {
        return false;
      }
      for (auto& s : subscribers_) {
        if (!s->connected()) {
          return false;
        }
      }
      return true;
    };
    auto r = client::runScript(loop_, {{"connect", all, nullptr}}, 10s);
    if (!r.completed) {
      return false;
    }
    // Keyframes until every subscriber's video started.
    auto started = [this] { return videoStarted_ == subscribers_.size(); };
    for (int i = 0; i < 100 && !started(); ++i) {
      publisher_->sendVideoFrame(loop_.now(), true, 3000);
      client::runScript(loop_, {{"keyframe", started, nullptr}}, 30ms, 0us);
    }
    if (!started()) {
      return false;
    }
    // Let the warm-up keyframes (and any PLI answers) drain before measuring.
    uint64_t last = ~uint64_t{0};
    while (received_ != last) {
      last = received_;
      client::runScript(loop_, {{"drain", nullptr, nullptr}, {"idle", [] { return false; }, nullptr}}, 50ms);
    }
    return true;
  }

  // One burst; returns the packets the publisher sent.
  size_t sendBurst() {
    Micros now = loop_.now();
    size_t sent = 0;
    for (int f = 0; f < kFramesPerBurst; ++f) {
      sent += publisher_->sendVideoFrame(now, false, frameBytes_);
    }
    sent += publisher_->sendAudioFrame(now);
    return sent;
  }

  // Runs the client loop until `expected` packets arrived in total, or `timeout`.
  void receiveUntil(uint64_t expected, Micros timeout) {
    client::runScript(loop_, {{"receive", [this, expected] { return received_ >= expected; }, nullptr}}, timeout, 0us);
  }

  uint64_t received() const { return received_; }
  uint64_t receivedPayloadBytes() const { return receivedBytes_; }
  size_t subscriberCount() const { return subscribers_.size(); }
  pid_t workerTid() const { return workerTid_.load(); }
  bool failed() const { return failed_; }

  // MediaEvents
  void onSubscribeOffer(const std::string& roomId, const std::string& participantId, uint32_t version,
                        std::string sdp) override {
    size_t index = std::stoul(participantId.substr(1));
    auto answer = subscribers_[index]->answerOffer(sdp);
    if (answer.ok()) {
      plane_->answerSubscription(roomId, participantId, version, *answer, [](auto) {});
    }
  }
  void onMediaFailed(const std::string&, const std::string&, std::string) override { failed_ = true; }

  // PeerConnection::Listener
  void onRtp(client::PeerConnection&, const rtp::RtpPacketView& packet,
             const client::PeerConnection::ReceivedRtp& info) override {
    ++received_;
    receivedBytes_ += packet.payload().size();
    if (info.kind == client::MediaKind::kVideo && info.stream->packets == 1) {
      ++videoStarted_;
    }
  }

 private:
  pid_t mainTid_;
  size_t frameBytes_;
  std::atomic<pid_t> workerTid_{0};
  net::EventLoop loop_;
  std::unique_ptr<sfu::MediaApi> plane_;
  std::unique_ptr<client::PeerConnection> publisher_;
  std::vector<std::unique_ptr<client::PeerConnection>> subscribers_;
  uint64_t received_ = 0;
  uint64_t receivedBytes_ = 0;
  size_t videoStarted_ = 0;
  bool failed_ = false;
};

void BM_ForwardingOverSockets(benchmark::State& state) {
  const int subscribers = static_cast<int>(state.range(0));
  Call call(subscribers);
  if (!call.start() || call.workerTid() == 0) {
    state.SkipWithError("call setup failed");
    return;
  }
  const pid_t worker = call.workerTid();
  uint64_t expected = call.received();
  const uint64_t receivedBefore = call.received();
  const uint64_t bytesBefore = call.receivedPayloadBytes();
  const int64_t cpuBefore = threadCpuNanos(worker);
  const auto wallBefore = std::chrono::steady_clock::now();
  uint64_t sent = 0;
  for (auto _ : state) {
    size_t burst = call.sendBurst();
    sent += burst;
    expected += burst * static_cast<uint64_t>(subscribers);
    call.receiveUntil(expected, 20ms);
  }
  call.receiveUntil(expected, 200ms);  // stragglers
  const int64_t cpu = threadCpuNanos(worker) - cpuBefore;
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - wallBefore).count();
  const uint64_t forwarded = call.received() - receivedBefore;
  const uint64_t wanted = sent * static_cast<uint64_t>(subscribers);
  state.counters["fwd_pkts_per_cpu_sec"] = benchmark::Counter(static_cast<double>(forwarded) * 1e9 / static_cast<double>(cpu));
  state.counters["worker_ns_per_fwd_pkt"] = static_cast<double>(cpu) / static_cast<double>(forwarded);
  state.counters["worker_cpu_util"] = static_cast<double>(cpu) / 1e9 / wall;
  state.counters["fwd_pkts_per_wall_sec"] = static_cast<double>(forwarded) / wall;
  state.counters["loss"] = wanted == 0 ? 0.0 : 1.0 - static_cast<double>(forwarded) / static_cast<double>(wanted);
  state.counters["avg_payload"] = static_cast<double>(call.receivedPayloadBytes() - bytesBefore) / static_cast<double>(forwarded);
  state.SetItemsProcessed(static_cast<int64_t>(forwarded));
  if (call.failed()) {
    state.SkipWithError("a transport failed");
  }
}
BENCHMARK(BM_ForwardingOverSockets)->Arg(1)->Arg(2)->Arg(4)->UseRealTime()->Unit(benchmark::kMicrosecond);

// --- in process, no sockets ---

constexpr uint32_t kPublisherSsrc = 0x11223344;
constexpr uint8_t kMidExtensionId = 1;

std::vector<uint8_t> keyOf(srtp::SrtpProfile profile, uint8_t seed) {
  std::vector<uint8_t> key(srtp::srtpProfileSpec(profile).keySaltLength());
  for (size_t i = 0; i < key.size(); ++i) {
    key[i] = static_cast<uint8_t>(i * 7 + seed);
  }
  return key;
}

// A VP8 delta-frame packet as a browser sends it: mid and transport-cc extensions,
// 1,100-byte payload starting with a VP8 payload descriptor.
size_t writeVideoPacket(uint8_t* out, size_t capacity, uint16_t seq) {
  uint8_t payload[kPayload];
  std::memset(payload, 0xab, sizeof payload);
  payload[0] = 0x90;  // X=1 S=1
  payload[1] = 0x80;  // I=1
  payload[2] = 0x80;
  payload[3] = 0x01;
  payload[4] = 0x01;  // VP8 frame tag P=1: not a keyframe
  uint8_t mid = '1';
  uint8_t twcc[2] = {static_cast<uint8_t>(seq >> 8), static_cast<uint8_t>(seq)};
  rtp::RtpPacketBuilder builder;
  builder.payloadType(96).sequenceNumber(seq).timestamp(90000u + seq).ssrc(kPublisherSsrc);
  builder.addExtension(kMidExtensionId, ByteView(&mid, 1)).addExtension(3, ByteView(twcc, 2));
  return builder.write(MutableByteView(out, capacity), ByteView(payload, sizeof payload)).value();
}

sfu::ProducerParameters videoProducer() {
  sfu::ProducerParameters p;
  p.mid = "1";
  p.kind = "video";
  p.trackId = "cam";
  sfu::RtpCodec vp8;
  vp8.payloadType = 96;
  vp8.name = "VP8";
  vp8.clockRate = 90000;
  p.codecs = {vp8};
  p.forwardedPayloadTypes = {{96, 96}};
  p.ssrc = kPublisherSsrc;
  return p;
}

// The publisher side: a ring of SRTP packets, re-protected outside the timing when used up
// (each index can be unprotected once: replay protection).
struct InboundRing {
  static constexpr size_t kRing = 4096;
  std::unique_ptr<srtp::SrtpSession> sender;
  std::unique_ptr<srtp::SrtpSession> receiver;
  std::vector<std::array<uint8_t, 1500>> wire{kRing};
  std::vector<size_t> length = std::vector<size_t>(kRing);
  uint16_t seq = 0;
  size_t next = kRing;

  InboundRing() {
    auto key = keyOf(srtp::SrtpProfile::kAeadAes128Gcm, 1);
    sender = srtp::SrtpSession::create(srtp::SrtpDirection::kOutbound, srtp::SrtpProfile::kAeadAes128Gcm, key).value();
    receiver = srtp::SrtpSession::create(srtp::SrtpDirection::kInbound, srtp::SrtpProfile::kAeadAes128Gcm, key).value();
  }
  void refill() {
    for (size_t i = 0; i < kRing; ++i) {
      size_t n = writeVideoPacket(wire[i].data(), wire[i].size(), seq++);
      length[i] = sender->protectRtp(wire[i].data(), n, wire[i].size()).value();
    }
    next = 0;
  }
};

struct Subscribers {
  std::vector<std::unique_ptr<srtp::SrtpSession>> outbound;
  std::vector<uint32_t> ssrc;
  std::vector<uint16_t> offset;
  std::array<uint8_t, 1500> slot{};  // the socket's send slot

  explicit Subscribers(int n) {
    for (int i = 0; i < n; ++i) {
      outbound.push_back(srtp::SrtpSession::create(srtp::SrtpDirection::kOutbound, srtp::SrtpProfile::kAeadAes128Gcm,
                                                   keyOf(srtp::SrtpProfile::kAeadAes128Gcm, static_cast<uint8_t>(10 + i)))
                             .value());
      ssrc.push_back(0x5000 + static_cast<uint32_t>(i));
      offset.push_back(static_cast<uint16_t>(1000 * i));
    }
  }
  // What Consumer::forward + WebRtcTransport::sendRtp do per subscriber, optionally
  // without the SRTP step.
  void forward(const rtp::RtpPacketView& packet, uint8_t payloadType, size_t i, bool protect) {
    ByteView bytes = packet.bytes();
    std::memcpy(slot.data(), bytes.data(), bytes.size());
    slot[1] = static_cast<uint8_t>((slot[1] & 0x80) | (payloadType & 0x7F));
    writeU16(&slot[2], static_cast<uint16_t>(packet.sequenceNumber() + offset[i]));
    writeU32(&slot[8], ssrc[i]);
    if (protect) {
      auto r = outbound[i]->protectRtp(slot.data(), bytes.size(), slot.size());
      benchmark::DoNotOptimize(r);
    }
    benchmark::ClobberMemory();
  }
};

// Parse + Producer::receive + PT map + keyframe check, as Participant/Room do.
std::optional<uint8_t> route(sfu::Producer& producer, rtp::RtpPacketView& packet, Micros now, bool& keyframe) {
  if (producer.receive(packet, now) != sfu::Producer::Verdict::kForward) {
    return std::nullopt;
  }
  auto pt = producer.canonicalPayloadType(packet.payloadType());
  keyframe = producer.isVideo() && producer.isKeyframe(packet);
  return pt;
}

void BM_PathUnprotect(benchmark::State& state) {
  InboundRing ring;
  std::array<uint8_t, 1500> scratch{};
  for (auto _ : state) {
    if (ring.next == InboundRing::kRing) {
      state.PauseTiming();
      ring.refill();
      state.ResumeTiming();
    }
    std::memcpy(scratch.data(), ring.wire[ring.next].data(), ring.length[ring.next]);
    auto r = ring.receiver->unprotectRtp(scratch.data(), ring.length[ring.next]);
    benchmark::DoNotOptimize(r);
    ++ring.next;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PathUnprotect);

void BM_PathRoute(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  sfu::Producer producer("pub", videoProducer());
  Subscribers subscribers(n);
  std::array<uint8_t, 1500> buffer{};
  uint16_t seq = 0;
  int64_t now = 0;
  for (auto _ : state) {
    size_t length = writeVideoPacket(buffer.data(), buffer.size(), seq++);  // stands in for the decrypted datagram
    auto packet = rtp::RtpPacketView::parse(MutableByteView(buffer.data(), length)).value();
    bool keyframe = false;
    auto pt = route(producer, packet, Micros(now += 100), keyframe);
    for (int i = 0; i < n; ++i) {
      subscribers.forward(packet, *pt, static_cast<size_t>(i), false);
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PathRoute)->Arg(1)->Arg(2)->Arg(4);

// The packet write the route benchmark includes, alone, to subtract.
void BM_PathWritePacketOnly(benchmark::State& state) {
  std::array<uint8_t, 1500> buffer{};
  uint16_t seq = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(writeVideoPacket(buffer.data(), buffer.size(), seq++));
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PathWritePacketOnly);

void BM_PathProtect(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  Subscribers subscribers(n);
  std::array<uint8_t, 1500> buffer{};
  uint16_t seq = 0;
  size_t length = writeVideoPacket(buffer.data(), buffer.size(), seq);
  auto packet = rtp::RtpPacketView::parse(MutableByteView(buffer.data(), length)).value();
  for (auto _ : state) {
    packet.setSequenceNumber(seq++);
    for (int i = 0; i < n; ++i) {
      subscribers.forward(packet, 96, static_cast<size_t>(i), true);
    }
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PathProtect)->Arg(1)->Arg(2)->Arg(4);

void BM_PathInProcess(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  InboundRing ring;
  sfu::Producer producer("pub", videoProducer());
  Subscribers subscribers(n);
  std::array<uint8_t, 1500> scratch{};
  int64_t now = 0;
  for (auto _ : state) {
    if (ring.next == InboundRing::kRing) {
      state.PauseTiming();
      ring.refill();
      state.ResumeTiming();
    }
    std::memcpy(scratch.data(), ring.wire[ring.next].data(), ring.length[ring.next]);
    size_t length = ring.receiver->unprotectRtp(scratch.data(), ring.length[ring.next]).value();
    ++ring.next;
    auto packet = rtp::RtpPacketView::parse(MutableByteView(scratch.data(), length)).value();
    bool keyframe = false;
    auto pt = route(producer, packet, Micros(now += 100), keyframe);
    for (int i = 0; i < n; ++i) {
      subscribers.forward(packet, *pt, static_cast<size_t>(i), true);
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["fwd_pkts_per_cpu_sec"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * n, benchmark::Counter::kIsRate);
}
BENCHMARK(BM_PathInProcess)->Arg(1)->Arg(2)->Arg(4);

// --- reference: the kernel's loopback UDP cost ---

void BM_UdpLoopback32(benchmark::State& state) {
  auto local = *SocketAddress::fromIp("127.0.0.1", 0);
  auto sender = net::UdpSocket::bind(local).value();
  auto receiver = net::UdpSocket::bind(local).value();
  std::array<uint8_t, kPayload> datagram{};
  datagram.fill(0xab);
  uint64_t received = 0;
  uint64_t sent = 0;
  for (auto _ : state) {
    for (size_t i = 0; i < net::UdpSocket::kBatchSize; ++i) {
      sender->send(ByteView(datagram), receiver->localAddress());
    }
    sender->flush();
    sent += net::UdpSocket::kBatchSize;
    // Loopback delivers synchronously inside sendmmsg: everything is there already.
    for (int spin = 0; spin < 1000 && received < sent; ++spin) {
      received += receiver->receiveAll([](MutableByteView, const SocketAddress&) {});
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(received));
  state.counters["loss"] = sent == 0 ? 0.0 : 1.0 - static_cast<double>(received) / static_cast<double>(sent);
}
BENCHMARK(BM_UdpLoopback32);

}  // namespace
