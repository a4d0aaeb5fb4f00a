#pragma once
// The server's side of one peer connection's transport, as the SDP builders write it.
#include <cstdint>
#include <string>
#include <vector>

#include "sdp/session_description.hpp"

namespace medrtc::sdp {

struct LocalTransport {
  std::string iceUfrag;
  std::string icePwd;
  std::string fingerprintSha256;  // "AB:CD:..." of the server's DTLS certificate
  std::vector<std::string> candidateIps;  // the media worker's addresses, best first
  uint16_t candidatePort = 0;             // the worker's one UDP port, the same on each
  // A UDP host candidate per address (off only for a connectivity probe of ICE-TCP alone).
  bool udpCandidates = true;
  // Also a passive ICE-TCP candidate (RFC 6544) per address, on the same port number.
  bool tcpCandidates = false;
};

// Writes ice-ufrag/pwd, the sha-256 fingerprint, `setup`, rtcp-mux and one host candidate
// per address (UDP, then TCP passive ones when tcpCandidates) into `media`. An ICE-lite server knows all its addresses up front, so the
// description carries them and the client needs no trickle (RFC 8839 §4.2
// end-of-candidates).
void applyLocalTransport(MediaSection& media, const LocalTransport& local, SetupRole setup);

// The session-level frame of every description the server writes: o= with a session id
// derived from the ICE ufrag (stable for the connection, no randomness needed here),
// ice-lite (RFC 8839 §5.3), t=0 0.
SessionDescription makeLocalSession(const LocalTransport& local, uint64_t sessionVersion);

}  // namespace medrtc::sdp
