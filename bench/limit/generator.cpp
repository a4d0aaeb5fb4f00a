#include "generator.hpp"

#include <poll.h>

#include <algorithm>
#include <cstring>

#include "common/bytes.hpp"
#include "thread_cpu.hpp"

namespace medrtc::bench {
namespace {

constexpr size_t kRtpHeaderLength = 12;  // RFC 3550 §5.1, no CSRCs, no extension
constexpr uint32_t kSsrc = 0x4d454452;   // "MEDR"
constexpr uint8_t kVp8PayloadType = 96;
// Authenticate only the first packets that come back: enough to prove the forwarder's
// output is valid SRTP without spending the generator's core on it.
constexpr uint64_t kVerifySample = 256;
// With nothing back for this long the packets in flight are taken as lost, so a drop
// never stalls the closed loop.
constexpr double kLostAfterSeconds = 0.02;

}  // namespace

Generator::Generator(const LimitConfig& config, std::unique_ptr<net::UdpSocket> socket,
                     std::unique_ptr<srtp::SrtpSession> outbound, std::unique_ptr<srtp::SrtpSession> verify,
                     SocketAddress forwarder)
    : config_(config),
      socket_(std::move(socket)),
      outbound_(std::move(outbound)),
      verify_(std::move(verify)),
      forwarder_(forwarder),
      payload_(config.payloadSize) {
  for (size_t i = 0; i < payload_.size(); ++i) {
    payload_[i] = static_cast<uint8_t>(i * 31 + 7);
  }
}

void Generator::sendBatch(size_t count) {
  const size_t length = kRtpHeaderLength + payload_.size();
  for (size_t i = 0; i < count; ++i) {
    auto slot = socket_->reserveSend(forwarder_);
    uint8_t* p = slot.data();
    p[0] = 0x80;  // V=2, no padding, no extension, CC=0
    p[1] = kVp8PayloadType;
    writeU16(p + 2, sequence_++);
    writeU32(p + 4, timestamp_);
    writeU32(p + 8, kSsrc);
    timestamp_ += 3000;
    std::memcpy(p + kRtpHeaderLength, payload_.data(), payload_.size());
    auto sealed = outbound_->protectRtp(p, length, slot.size());
    socket_->commitSend(sealed.ok() ? *sealed : 0);
  }
  socket_->flush();
  counters_.sent += count;
}

void Generator::onReturned(MutableByteView packet) {
  ++counters_.returned;
  if (counters_.verified + counters_.verifyFailures < kVerifySample) {
    auto plain = verify_->unprotectRtp(packet.data(), packet.size());
    if (plain.ok() && *plain == kRtpHeaderLength + payload_.size() &&
        std::memcmp(packet.data() + kRtpHeaderLength, payload_.data(), payload_.size()) == 0) {
      ++counters_.verified;
    } else {
      ++counters_.verifyFailures;
    }
  }
}

GeneratorCounters Generator::run(SharedPhase& phase) {
  auto handler = [this](MutableByteView packet, const SocketAddress&) { onReturned(packet); };
  const double start = wallSeconds();
  const double measureFrom = start + config_.warmupSeconds;
  const double stopAt = measureFrom + config_.seconds;
  double cpuAtMeasure = 0;
  uint64_t returnedAtMeasure = 0;
  double lastReturn = start;
  uint64_t inFlight = 0;
  bool measuring = false;
  pollfd pfd{socket_->fd(), POLLIN, 0};
  for (;;) {
    double now = wallSeconds();
    if (!measuring && now >= measureFrom) {
      measuring = true;
      cpuAtMeasure = threadCpuSeconds();
      returnedAtMeasure = counters_.returned;
      phase.store(Phase::kMeasuring, std::memory_order_release);
    }
    if (now >= stopAt) {
      break;
    }
    while (inFlight + net::UdpSocket::kBatchSize <= config_.window) {
      sendBatch(net::UdpSocket::kBatchSize);
      inFlight += net::UdpSocket::kBatchSize;
    }
    if (::poll(&pfd, 1, 1) > 0) {
      size_t n = socket_->receiveAll(handler);
      inFlight -= std::min<uint64_t>(inFlight, n);
      lastReturn = now;
    } else if (now - lastReturn > kLostAfterSeconds) {
      inFlight = 0;
      lastReturn = now;
    }
  }
  counters_.cpuSeconds = threadCpuSeconds() - cpuAtMeasure;
  counters_.returned -= returnedAtMeasure;
  phase.store(Phase::kStopped, std::memory_order_release);
  return counters_;
}

}  // namespace medrtc::bench
