#include "client/local_description.hpp"

#include <strings.h>

#include <algorithm>
#include <cctype>

#include "sdp/server_capabilities.hpp"

namespace medrtc::client {

namespace {

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

void applyLocalIce(sdp::MediaSection& m, const LocalIce& local, sdp::SetupRole setup) {
  m.iceUfrag = local.iceUfrag;
  m.icePwd = local.icePwd;
  m.iceOptions = "trickle";
  m.fingerprints = {sdp::Fingerprint{"sha-256", local.fingerprintSha256}};
  m.setup = setup;
  m.rtcpMux = true;
  m.connection = sdp::Connection{};
}

void addHostCandidate(sdp::MediaSection& m, const LocalIce& local) {
  if (local.hostCandidate.port() == 0) {
    return;
  }
  sdp::Candidate c;
  c.foundation = "1";
  c.component = 1;
  c.transport = "udp";
  // RFC 8445 §5.1.2.1: type preference 126 for host, local preference 65535, component 1.
  c.priority = (126u << 24) | (65535u << 8) | (256u - 1u);
  c.address = local.hostCandidate.ip();
  c.port = local.hostCandidate.port();
  c.type = "host";
  std::string value = c.foundation + " 1 udp " + std::to_string(c.priority) + " " + c.address + " " +
                      std::to_string(c.port) + " typ host";
  m.candidates.push_back(sdp::CandidateLine{std::move(value), std::move(c)});
  m.endOfCandidates = true;
}

sdp::MediaSection publishSection(const LocalIce& local, const PublishOfferParams& p, bool audio) {
  sdp::MediaSection m;
  m.kind = audio ? "audio" : "video";
  m.port = 9;
  m.protocol = "UDP/TLS/RTP/SAVPF";
  m.mid = audio ? kAudioMid : kVideoMid;
  m.direction = sdp::Direction::kSendOnly;
  applyLocalIce(m, local, sdp::SetupRole::kActpass);
  addHostCandidate(m, local);
  m.rtcpRsize = true;
  m.extensions = {
      sdp::ExtMap{kMidExtensionId, std::string(sdp::kExtSdesMid), std::nullopt, ""},
      sdp::ExtMap{kAbsSendTimeExtensionId, std::string(sdp::kExtAbsSendTime), std::nullopt, ""},
      sdp::ExtMap{kTransportCcExtensionId, std::string(sdp::kExtTransportWideCc), std::nullopt, ""},
  };
  sdp::Codec codec;
  if (audio) {
    codec.payloadType = kOpusPayloadType;
    codec.name = "opus";
    codec.clockRate = 48'000;
    codec.channels = 2;  // RFC 7587 §7: always opus/48000/2
    codec.fmtp = "minptime=10;useinbandfec=1";
    codec.rtcpFeedback = {"transport-cc"};
  } else {
    codec.payloadType = kVp8PayloadType;
    codec.name = "VP8";
    codec.clockRate = 90'000;
    codec.rtcpFeedback = {"goog-remb", "transport-cc", "ccm fir", "nack", "nack pli"};
  }
  m.formats = {std::to_string(codec.payloadType)};
  m.codecs = {codec};
  const std::string trackId = p.streamId + (audio ? "-audio" : "-video");
  m.msid = std::make_pair(p.streamId, trackId);
  sdp::SsrcInfo ssrc;
  ssrc.ssrc = audio ? p.audioSsrc : p.videoSsrc;
  ssrc.cname = p.cname;
  ssrc.msid = p.streamId + " " + trackId;
  m.ssrcs = {ssrc};
  if (!audio && !p.videoRids.empty()) {
    m.extensions.push_back(sdp::ExtMap{kRidExtensionId, std::string(sdp::kExtRtpStreamId), std::nullopt, ""});
    sdp::Simulcast simulcast;
    for (const std::string& rid : p.videoRids) {
      m.rids.push_back(sdp::Rid{rid, "send", {}});
      simulcast.send.push_back({rid});
    }
    m.simulcast = std::move(simulcast);
    m.ssrcs.clear();
  }
  return m;
}

const sdp::Fingerprint* preferredFingerprint(const std::vector<sdp::Fingerprint>& fingerprints) {
  for (const auto& f : fingerprints) {
    if (equalsIgnoreCase(f.algorithm, "sha-256")) {
      return &f;
    }
  }
  return fingerprints.empty() ? nullptr : &fingerprints.front();
}

std::optional<SocketAddress> candidateAddress(const sdp::MediaSection& m) {
  for (const sdp::CandidateLine& line : m.candidates) {
    const sdp::Candidate& c = line.parsed;
    if (c.component == 1 && equalsIgnoreCase(c.transport, "udp")) {
      if (auto address = SocketAddress::fromIp(c.address, c.port)) {
        return address;
      }
    }
  }
  // No candidate line: an explicit c= address and m= port (RFC 8839 §4.3.1 default
  // destination) is the next best thing.
  if (m.connection && m.connection->address != "0.0.0.0" && m.port != 9) {
    return SocketAddress::fromIp(m.connection->address, m.port);
  }
  return std::nullopt;
}

}  // namespace

sdp::SessionDescription buildPublishOffer(const LocalIce& local, const PublishOfferParams& params) {
  sdp::SessionDescription s;
  s.sessionId = params.sessionId;
  s.sessionVersion = params.sessionVersion;
  s.msidSemantic = "WMS " + params.streamId;
  sdp::Group bundle{"BUNDLE", {}};
  if (params.audio) {
    s.media.push_back(publishSection(local, params, true));
    bundle.mids.push_back(kAudioMid);
  }
  if (params.video) {
    s.media.push_back(publishSection(local, params, false));
    bundle.mids.push_back(kVideoMid);
  }
  s.groups.push_back(std::move(bundle));
  return s;
}

sdp::SessionDescription buildSubscriberAnswer(const sdp::SessionDescription& offer, const LocalIce& local,
                                              const std::string& sessionId, uint64_t sessionVersion, bool acceptRtx,
                                              const std::vector<std::string>& noDecoderFor) {
  sdp::SessionDescription s;
  s.sessionId = sessionId;
  s.sessionVersion = sessionVersion;
  sdp::Group bundle{"BUNDLE", {}};
  for (const sdp::MediaSection& o : offer.media) {
    sdp::MediaSection m;
    m.kind = o.kind;
    m.protocol = o.protocol;
    m.formats = o.formats;
    m.mid = o.mid;
    // As a browser without a decoder for any of the m-line's codecs: port 0 (JSEP §5.3.1).
    bool decodable = std::any_of(o.codecs.begin(), o.codecs.end(), [&](const sdp::Codec& c) {
      return !c.rtxFor && std::none_of(noDecoderFor.begin(), noDecoderFor.end(), [&](const std::string& name) {
               return strcasecmp(name.c_str(), c.name.c_str()) == 0;
             });
    });
    if (o.rejected() || !o.isRtp() || !decodable) {
      m.port = 0;
      m.direction = sdp::Direction::kInactive;
      s.media.push_back(std::move(m));
      continue;
    }
    m.port = 9;
    const sdp::Direction offered = resolveTransport(offer, o).direction;
    const bool peerSends = offered == sdp::Direction::kSendOnly || offered == sdp::Direction::kSendRecv;
    m.direction = peerSends ? sdp::Direction::kRecvOnly : sdp::Direction::kInactive;
    applyLocalIce(m, local, sdp::SetupRole::kActive);
    m.rtcpRsize = o.rtcpRsize;
    m.codecs.clear();
    m.formats.clear();
    for (const sdp::Codec& c : o.codecs) {
      if (c.rtxFor && !acceptRtx) {
        continue;
      }
      m.codecs.push_back(c);
      m.formats.push_back(std::to_string(c.payloadType));
    }
    m.extensions = o.extensions;
    for (auto& e : m.extensions) {
      e.direction.reset();
    }
    bundle.mids.push_back(m.mid);
    s.media.push_back(std::move(m));
  }
  if (!bundle.mids.empty()) {
    s.groups.push_back(std::move(bundle));
  }
  return s;
}

Result<RemoteTransport, ClientError> readRemoteTransport(const sdp::SessionDescription& remote, bool remoteIsOffer) {
  for (const sdp::MediaSection& m : remote.media) {
    if (m.rejected() || !m.isRtp()) {
      continue;
    }
    const sdp::TransportParams t = resolveTransport(remote, m);
    if (t.iceUfrag.empty() || t.icePwd.empty()) {
      return fail(ClientError::kMissingIceCredentials);
    }
    const sdp::Fingerprint* fingerprint = preferredFingerprint(t.fingerprints);
    if (fingerprint == nullptr) {
      return fail(ClientError::kMissingFingerprint);
    }
    auto candidate = candidateAddress(m);
    if (!candidate) {
      return fail(ClientError::kNoCandidate);
    }
    RemoteTransport r;
    r.iceUfrag = t.iceUfrag;
    r.icePassword = t.icePwd;
    r.fingerprintAlgorithm = fingerprint->algorithm;
    r.fingerprint = fingerprint->value;
    r.candidate = *candidate;
    // RFC 5763 §5 / RFC 4145 §4: the remote's role decides ours; absent = active.
    const sdp::SetupRole setup = t.setup.value_or(sdp::SetupRole::kActive);
    switch (setup) {
      case sdp::SetupRole::kPassive:
        r.localDtlsRole = dtls::DtlsRole::kClient;
        break;
      case sdp::SetupRole::kActive:
        r.localDtlsRole = dtls::DtlsRole::kServer;
        break;
      case sdp::SetupRole::kActpass:
        if (!remoteIsOffer) {
          return fail(ClientError::kUnsupportedSetup);  // an answer must choose
        }
        r.localDtlsRole = dtls::DtlsRole::kClient;
        break;
      case sdp::SetupRole::kHoldconn:
        return fail(ClientError::kUnsupportedSetup);
    }
    return r;
  }
  return fail(ClientError::kNoMedia);
}

void addPayloadTypes(const sdp::SessionDescription& description, PayloadTypeTable& table) {
  for (const sdp::MediaSection& m : description.media) {
    if (m.rejected() || !m.isRtp()) {
      continue;
    }
    const MediaKind kind = m.kind == "audio" ? MediaKind::kAudio : m.kind == "video" ? MediaKind::kVideo
                                                                                     : MediaKind::kUnknown;
    for (const sdp::Codec& c : m.codecs) {
      if (c.payloadType < 0 || c.payloadType > 127) {
        continue;
      }
      PayloadTypeInfo& info = table[static_cast<size_t>(c.payloadType)];
      info.kind = kind;
      info.clockRate = c.clockRate;
      info.vp8 = equalsIgnoreCase(c.name, "VP8");
      info.opus = equalsIgnoreCase(c.name, "opus");
      info.rtx = equalsIgnoreCase(c.name, "rtx");
    }
  }
}

uint8_t extensionId(const sdp::MediaSection& media, std::string_view uri) {
  for (const sdp::ExtMap& e : media.extensions) {
    if (e.uri == uri && e.id >= 1 && e.id <= 255) {
      return static_cast<uint8_t>(e.id);
    }
  }
  return 0;
}

}  // namespace medrtc::client
