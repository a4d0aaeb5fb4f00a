#include "sdp/session_description.hpp"

namespace medrtc::sdp {

const Codec* MediaSection::findCodec(int payloadType) const {
  for (const Codec& c : codecs) {
    if (c.payloadType == payloadType) {
      return &c;
    }
  }
  return nullptr;
}

const Group* SessionDescription::bundleGroup() const {
  for (const Group& g : groups) {
    if (g.semantics == "BUNDLE") {
      return &g;
    }
  }
  return nullptr;
}

const MediaSection* SessionDescription::findMedia(std::string_view mid) const {
  for (const MediaSection& m : media) {
    if (!m.mid.empty() && m.mid == mid) {
      return &m;
    }
  }
  return nullptr;
}

TransportParams resolveTransport(const SessionDescription& session, const MediaSection& media) {
  TransportParams t;
  t.iceUfrag = media.iceUfrag.empty() ? session.iceUfrag : media.iceUfrag;
  t.icePwd = media.icePwd.empty() ? session.icePwd : media.icePwd;
  t.fingerprints = media.fingerprints.empty() ? session.fingerprints : media.fingerprints;
  t.setup = media.setup ? media.setup : session.setup;
  // RFC 8866 §6.7: a session-level direction is the default for every media section.
  t.direction = media.direction.value_or(session.direction.value_or(Direction::kSendRecv));
  return t;
}

std::string_view toString(Direction direction) {
  switch (direction) {
    case Direction::kSendRecv: return "sendrecv";
    case Direction::kSendOnly: return "sendonly";
    case Direction::kRecvOnly: return "recvonly";
    case Direction::kInactive: return "inactive";
  }
  return "sendrecv";
}

std::string_view toString(SetupRole role) {
  switch (role) {
    case SetupRole::kActpass: return "actpass";
    case SetupRole::kActive: return "active";
    case SetupRole::kPassive: return "passive";
    case SetupRole::kHoldconn: return "holdconn";
  }
  return "actpass";
}

}  // namespace medrtc::sdp
