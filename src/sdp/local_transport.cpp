#include "sdp/local_transport.hpp"

namespace medrtc::sdp {

void applyLocalTransport(MediaSection& media, const LocalTransport& local, SetupRole setup) {
  media.connection = Connection{};  // "IN IP4 0.0.0.0": ICE decides the address (RFC 8839 §4.2)
  media.iceUfrag = local.iceUfrag;
  media.icePwd = local.icePwd;
  media.fingerprints = {Fingerprint{"sha-256", local.fingerprintSha256}};
  media.setup = setup;
  media.rtcpMux = true;
  // Priority per RFC 8445 §5.1.2.1 for a host candidate: type preference 126, local
  // preference 65535, component 1 → (126 << 24) | (65535 << 8) | 255 = 2130706431.
  Candidate c;
  c.foundation = "1";
  c.component = 1;
  c.transport = "udp";
  c.priority = 2130706431;
  c.address = local.candidateIp;
  c.port = local.candidatePort;
  c.type = "host";
  std::string value = "1 1 udp 2130706431 " + local.candidateIp + " " +
                      std::to_string(local.candidatePort) + " typ host";
  media.candidates = {CandidateLine{std::move(value), std::move(c)}};
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
