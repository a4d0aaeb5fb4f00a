#include "sdp/local_transport.hpp"

#include <algorithm>

namespace medrtc::sdp {

namespace {

// RFC 8445 §5.1.2.1: priority = (2^24)·type preference + (2^8)·local preference +
// (256 − component). Host type preference 126; the first address gets local preference
// 65535 and each next one less, so the browser tries them in the order given. Each
// address has its own foundation (§5.1.1.3: different base address).
CandidateLine hostCandidate(const std::string& ip, uint16_t port, size_t index) {
  Candidate c;
  c.foundation = std::to_string(index + 1);
  c.component = 1;
  c.transport = "udp";
  c.priority = (126u << 24) | (static_cast<uint32_t>(65535 - std::min<size_t>(index, 65535)) << 8) | 255u;
  c.address = ip;
  c.port = port;
  c.type = "host";
  std::string value = c.foundation + " 1 udp " + std::to_string(c.priority) + " " + ip + " " + std::to_string(port) +
                      " typ host";
  return CandidateLine{std::move(value), std::move(c)};
}

// RFC 6544 §4.2: local preference = (2^13)·direction-pref + other-pref, direction-pref 4
// for a passive host candidate (active 6 is the one we never offer), other-pref ordering
// the addresses. That local preference stays below every UDP one (≥ 65535 − index), so
// with the same type preference the browser prefers UDP and uses TCP only when UDP fails.
// Foundations differ from the UDP ones (RFC 8445 §5.1.1.3: different transport).
CandidateLine tcpPassiveCandidate(const std::string& ip, uint16_t port, size_t index) {
  Candidate c;
  c.foundation = "t" + std::to_string(index + 1);
  c.component = 1;
  c.transport = "tcp";
  uint32_t localPreference = (4u << 13) | static_cast<uint32_t>(8191 - std::min<size_t>(index, 8191));
  c.priority = (126u << 24) | (localPreference << 8) | 255u;
  c.address = ip;
  c.port = port;
  c.type = "host";
  std::string value = c.foundation + " 1 tcp " + std::to_string(c.priority) + " " + ip + " " + std::to_string(port) +
                      " typ host tcptype passive";
  return CandidateLine{std::move(value), std::move(c)};
}

}  // namespace

void applyLocalTransport(MediaSection& media, const LocalTransport& local, SetupRole setup) {
  media.connection = Connection{};  // "IN IP4 0.0.0.0": ICE decides the address (RFC 8839 §4.2)
  media.iceUfrag = local.iceUfrag;
  media.icePwd = local.icePwd;
  media.fingerprints = {Fingerprint{"sha-256", local.fingerprintSha256}};
  media.setup = setup;
  media.rtcpMux = true;
  media.candidates.clear();
  for (size_t i = 0; local.udpCandidates && i < local.candidateIps.size(); ++i) {
    media.candidates.push_back(hostCandidate(local.candidateIps[i], local.candidatePort, i));
  }
  if (local.tcpCandidates) {
    for (size_t i = 0; i < local.candidateIps.size(); ++i) {
      media.candidates.push_back(tcpPassiveCandidate(local.candidateIps[i], local.candidatePort, i));
    }
  }
  media.endOfCandidates = true;
}

SessionDescription makeLocalSession(const LocalTransport& local, uint64_t sessionVersion) {
  // FNV-1a of the ufrag, reduced to 62 bits so it prints as a plain positive number.
  uint64_t hash = 1469598103934665603ULL;
  for (char c : local.iceUfrag) {
    hash = (hash ^ static_cast<unsigned char>(c)) * 1099511628211ULL;
  }
  SessionDescription sdp;
  sdp.originUsername = "medrtc";
  sdp.sessionId = std::to_string((hash >> 2) | 1);
  sdp.sessionVersion = sessionVersion;
  sdp.originAddressType = "IP4";
  sdp.originAddress = "0.0.0.0";
  sdp.sessionName = "-";
  sdp.iceLite = true;
  return sdp;
}

}  // namespace medrtc::sdp
