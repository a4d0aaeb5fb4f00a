#include <string>
#include <thread>
#include <vector>

#include "forwarder.hpp"
#include "generator.hpp"
#include "limit_types.hpp"
#include "thread_cpu.hpp"

namespace medrtc::bench {
namespace {

std::vector<uint8_t> fixedKey(srtp::SrtpProfile profile, uint8_t seed) {
  std::vector<uint8_t> key(srtp::srtpProfileSpec(profile).keySaltLength());
  for (size_t i = 0; i < key.size(); ++i) {
    key[i] = static_cast<uint8_t>(seed + i * 13);
  }
  return key;
}

Result<std::unique_ptr<srtp::SrtpSession>, std::string> session(srtp::SrtpDirection direction,
                                                                 srtp::SrtpProfile profile, uint8_t seed) {
  auto s = srtp::SrtpSession::create(direction, profile, fixedKey(profile, seed));
  if (!s.ok()) {
    return fail("srtp session: " + std::string(srtp::toString(s.error())));
  }
  return std::move(*s);
}

}  // namespace

Result<LimitResult, std::string> measureLimit(const LimitConfig& config) {
  auto local = SocketAddress::fromIp(config.bindIp, 0);
  if (!local) {
    return fail("not an IP address: " + config.bindIp);
  }
  auto forwarderSocket = net::UdpSocket::bind(*local);
  auto generatorSocket = net::UdpSocket::bind(*local);
  if (!forwarderSocket.ok() || !generatorSocket.ok()) {
    return fail("cannot bind a UDP socket on " + config.bindIp);
  }
  // Two keys, one per hop, as between publisher → SFU and SFU → subscriber.
  constexpr uint8_t kUpstream = 1;
  constexpr uint8_t kDownstream = 101;
  auto fwdIn = session(srtp::SrtpDirection::kInbound, config.profile, kUpstream);
  auto fwdOut = session(srtp::SrtpDirection::kOutbound, config.profile, kDownstream);
  auto genOut = session(srtp::SrtpDirection::kOutbound, config.profile, kUpstream);
  auto genVerify = session(srtp::SrtpDirection::kInbound, config.profile, kDownstream);
  for (auto* s : {&fwdIn, &fwdOut, &genOut, &genVerify}) {
    if (!s->ok()) {
      return fail(s->error());
    }
  }

  Forwarder forwarder(std::move(*forwarderSocket), std::move(*fwdIn), std::move(*fwdOut));
  Generator generator(config, std::move(*generatorSocket), std::move(*genOut), std::move(*genVerify),
                      forwarder.address());
  SharedPhase phase{Phase::kWarmup};
  ForwarderCounters fwd;
  GeneratorCounters gen;
  bool pinnedForwarder = true;
  bool pinnedGenerator = true;
  std::thread forwarderThread([&] {
    pinnedForwarder = pinThisThread(config.forwarderCpu);
    fwd = forwarder.run(phase);
  });
  std::thread generatorThread([&] {
    pinnedGenerator = pinThisThread(config.generatorCpu);
    gen = generator.run(phase);
  });
  generatorThread.join();
  forwarderThread.join();
  if (!pinnedForwarder || !pinnedGenerator) {
    return fail("cannot pin threads to cores " + std::to_string(config.forwarderCpu) + " and " +
                std::to_string(config.generatorCpu));
  }

  LimitResult r;
  r.profile = config.profile;
  r.wireBytes = 12 + config.payloadSize + srtp::srtpProfileSpec(config.profile).rtpTrailerLength;
  r.seconds = fwd.wallSeconds;
  r.forwarded = fwd.forwarded;
  r.returned = gen.returned;
  r.unprotectErrors = fwd.unprotectErrors;
  r.protectErrors = fwd.protectErrors;
  r.sendErrors = fwd.sendErrors;
  r.verifyFailures = gen.verifyFailures;
  r.forwarderCpuSeconds = fwd.cpuSeconds;
  r.generatorCpuSeconds = gen.cpuSeconds;
  return r;
}

}  // namespace medrtc::bench
