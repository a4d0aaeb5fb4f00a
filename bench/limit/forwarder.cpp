#include "forwarder.hpp"

#include <poll.h>

#include <cstring>

#include "thread_cpu.hpp"

namespace medrtc::bench {

void Forwarder::forwardOne(MutableByteView packet, const SocketAddress& from) {
  auto plain = inbound_->unprotectRtp(packet.data(), packet.size());
  if (!plain.ok()) {
    ++total_.unprotectErrors;
    return;
  }
  // An SFU copies once per subscriber because SRTP encrypts in place (DESIGN.md §3); so do we.
  auto slot = socket_->reserveSend(from);
  std::memcpy(slot.data(), packet.data(), *plain);
  auto sealed = outbound_->protectRtp(slot.data(), *plain, slot.size());
  if (!sealed.ok()) {
    ++total_.protectErrors;
    socket_->commitSend(0);
    return;
  }
  socket_->commitSend(*sealed);
  ++total_.forwarded;
  // Under full load receiveAll never returns (there is always another full batch), so the
  // phase is also checked from here, cheaply, once per batch.
  if (total_.forwarded % net::UdpSocket::kBatchSize == 0) {
    observePhase(phase_->load(std::memory_order_acquire));
  }
}

bool Forwarder::observePhase(Phase now) {
  if (now == seen_ || seen_ == Phase::kStopped) {
    return seen_ == Phase::kStopped;
  }
  total_.cpuSeconds = threadCpuSeconds();
  total_.wallSeconds = wallSeconds();
  total_.sendErrors = socket_->stats().sendErrors;
  if (now == Phase::kMeasuring) {
    start_ = total_;
  }
  seen_ = now;
  return now == Phase::kStopped;
}

ForwarderCounters Forwarder::run(const SharedPhase& phase) {
  phase_ = &phase;
  auto handler = [this](MutableByteView packet, const SocketAddress& from) { forwardOne(packet, from); };
  pollfd pfd{socket_->fd(), POLLIN, 0};
  while (!observePhase(phase.load(std::memory_order_acquire))) {
    // Block like a real media worker when idle; a short timeout keeps the phase check prompt.
    if (::poll(&pfd, 1, 10) <= 0) {
      continue;
    }
    socket_->receiveAll(handler);
    socket_->flush();
  }
  ForwarderCounters window;
  window.forwarded = total_.forwarded - start_.forwarded;
  window.unprotectErrors = total_.unprotectErrors - start_.unprotectErrors;
  window.protectErrors = total_.protectErrors - start_.protectErrors;
  window.sendErrors = total_.sendErrors - start_.sendErrors;
  window.cpuSeconds = total_.cpuSeconds - start_.cpuSeconds;
  window.wallSeconds = total_.wallSeconds - start_.wallSeconds;
  return window;
}

}  // namespace medrtc::bench
