#include "sdp/publish_answer.hpp"

#include <algorithm>

#include "sdp/text.hpp"

namespace medrtc::sdp {

namespace {

bool contains(const std::vector<std::string>& list, std::string_view item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

bool isBundleOnly(const MediaSection& m) { return contains(m.otherAttributes, "bundle-only"); }

// A rejected m-line (RFC 3264 §6, RFC 8829 §5.3.1): port 0, same kind/protocol/mid, one of
// the offered formats since the m= line needs at least one.
MediaSection rejectedSection(const MediaSection& offered) {
  MediaSection m;
  m.kind = offered.kind;
  m.port = 0;
  m.protocol = offered.protocol;
  if (!offered.formats.empty()) {
    m.formats = {offered.formats.front()};
  }
  m.connection = Connection{};
  m.mid = offered.mid;
  m.direction = Direction::kInactive;
  return m;
}

// The negotiated codecs of one m-line: the first acceptable codec and its rtx.
std::vector<Codec> negotiateCodecs(const MediaSection& offered, const ServerCapabilities& caps,
                                   bool haveTransportCc) {
  std::vector<Codec> out;
  // ServerCapabilities::preferredVideoCodec first, if offered and acceptable.
  bool preferredOffered =
      offered.kind == "video" && !caps.preferredVideoCodec.empty() &&
      std::any_of(offered.codecs.begin(), offered.codecs.end(), [&](const Codec& c) {
        return text::iequals(c.name, caps.preferredVideoCodec) && matchServerCodec(c, offered.kind, caps) != nullptr;
      });
  for (const Codec& c : offered.codecs) {
    const ServerCodec* s = matchServerCodec(c, offered.kind, caps);
    if (s == nullptr || (preferredOffered && !text::iequals(c.name, caps.preferredVideoCodec))) {
      continue;
    }
    Codec kept = c;
    // Opus fmtp says what the receiver (the server) wants; video fmtp (H264 profile) must
    // echo the offer's or the browser treats it as another codec.
    if (offered.kind == "audio") {
      kept.fmtp = s->fmtp;
    }
    kept.rtcpFeedback.clear();
    for (const std::string& fb : c.rtcpFeedback) {
      bool needsExtension = fb == "transport-cc" && !haveTransportCc;
      if (contains(s->rtcpFeedback, fb) && !needsExtension) {
        kept.rtcpFeedback.push_back(fb);
      }
    }
    out.push_back(std::move(kept));
    for (const Codec& rtx : offered.codecs) {
      if (rtx.rtxFor && *rtx.rtxFor == c.payloadType && text::iequals(rtx.name, "rtx") &&
          s->rtxPayloadType) {
        Codec r = rtx;
        r.fmtp = "apt=" + std::to_string(c.payloadType);
        r.rtcpFeedback.clear();
        out.push_back(std::move(r));
        break;
      }
    }
    break;
  }
  return out;
}

std::vector<ExtMap> negotiateExtensions(const MediaSection& offered,
                                        const ServerCapabilities& caps, bool simulcast) {
  std::vector<ExtMap> out;
  for (const ExtMap& e : offered.extensions) {
    bool wanted = contains(caps.headerExtensions, e.uri) ||
                  (simulcast && (e.uri == kExtRtpStreamId || e.uri == kExtRepairedRtpStreamId));
    // An extension the offerer only receives is useless on a receive-only answer.
    bool offererSends = !e.direction || *e.direction == Direction::kSendOnly ||
                        *e.direction == Direction::kSendRecv;
    if (wanted && offererSends) {
      out.push_back(ExtMap{e.id, e.uri, std::nullopt, {}});
    }
  }
  return out;
}

void fillSsrcs(const MediaSection& offered, PublishedTrack& track) {
  std::vector<uint32_t> rtxSsrcs;
  for (const SsrcGroup& g : offered.ssrcGroups) {
    // RFC 4588 §8.4 / RFC 5576 §4.2: "FID <media> <rtx>".
    if (g.semantics == "FID" && g.ssrcs.size() == 2) {
      rtxSsrcs.push_back(g.ssrcs[1]);
      if (!track.rtxSsrc) {
        track.rtxSsrc = g.ssrcs[1];
      }
    }
  }
  for (const SsrcInfo& s : offered.ssrcs) {
    if (std::find(rtxSsrcs.begin(), rtxSsrcs.end(), s.ssrc) == rtxSsrcs.end()) {
      track.ssrcs.push_back(s.ssrc);
    }
  }
  if (offered.msid) {
    track.msidStream = offered.msid->first;
    track.msidTrack = offered.msid->second;
  } else {
    // Pre-RFC 8830 stacks only carry it as an ssrc attribute: "a=ssrc:N msid:stream track".
    for (const SsrcInfo& s : offered.ssrcs) {
      auto words = text::splitSpaces(s.msid);
      if (!words.empty()) {
        track.msidStream = std::string(words[0]);
        track.msidTrack = words.size() > 1 ? std::string(words[1]) : std::string();
        break;
      }
    }
  }
}

const Fingerprint& preferredFingerprint(const std::vector<Fingerprint>& list) {
  for (const Fingerprint& f : list) {
    if (f.algorithm == "sha-256") {
      return f;
    }
  }
  return list.front();
}

// RFC 8853 §5.2/§5.3: the send streams of an offered a=simulcast that we accept, in its
// order: per stream its first alternative that an a=rid send line declares (as offered, a
// leading '~' for a paused stream kept). A RID listed but not declared, or declared but
// not listed, is left out: a layer for it would wait for packets that never come, and an
// answer naming an undeclared RID is invalid. Empty: no simulcast.
std::vector<std::string> acceptedSimulcastStreams(const MediaSection& offered) {
  std::vector<std::string> streams;
  if (!offered.simulcast) {
    return streams;
  }
  for (const std::vector<std::string>& alternatives : offered.simulcast->send) {
    for (const std::string& alt : alternatives) {
      std::string_view id = alt;
      if (!id.empty() && id.front() == '~') {
        id.remove_prefix(1);
      }
      bool declared = std::any_of(offered.rids.begin(), offered.rids.end(),
                                  [&](const Rid& r) { return r.id == id && r.direction == "send"; });
      bool seen = std::any_of(streams.begin(), streams.end(), [&](const std::string& s) {
        return std::string_view(s).substr(s.starts_with('~') ? 1 : 0) == id;
      });
      if (declared && !seen) {
        streams.push_back(alt);
        break;
      }
    }
  }
  return streams;
}

}  // namespace

Result<PublishAnswer, SdpError> answerPublishOffer(const SessionDescription& offer,
                                                   const LocalTransport& local,
                                                   const ServerCapabilities& caps) {
  PublishAnswer result;
  SessionDescription& answer = result.answer;
  answer = makeLocalSession(local, offer.sessionVersion);
  answer.extmapAllowMixed = offer.extmapAllowMixed;

  const Group* bundle = offer.bundleGroup();
  std::vector<std::string> acceptedMids;
  std::optional<TransportParams> firstTransport;

  for (const MediaSection& offered : offer.media) {
    bool candidate = offered.isRtp() && (offered.kind == "audio" || offered.kind == "video") &&
                     (!offered.rejected() || isBundleOnly(offered)) &&
                     (bundle == nullptr || contains(bundle->mids, offered.mid));
    TransportParams transport = resolveTransport(offer, offered);
    const std::vector<std::string> simulcastStreams =
        caps.acceptSimulcast ? acceptedSimulcastStreams(offered) : std::vector<std::string>{};
    bool simulcast = !simulcastStreams.empty();
    std::vector<ExtMap> extensions = negotiateExtensions(offered, caps, simulcast);
    bool haveTransportCc = std::any_of(extensions.begin(), extensions.end(),
                                       [](const ExtMap& e) { return e.uri == kExtTransportWideCc; });
    std::vector<Codec> codecs;
    if (candidate) {
      codecs = negotiateCodecs(offered, caps, haveTransportCc);
    }
    if (codecs.empty()) {
      answer.media.push_back(rejectedSection(offered));
      continue;
    }

    if (offered.mid.empty()) {
      return fail(SdpError::kMissingMid);
    }
    if (transport.iceUfrag.empty() || transport.icePwd.empty()) {
      return fail(SdpError::kMissingIceCredentials);
    }
    if (transport.fingerprints.empty()) {
      return fail(SdpError::kMissingFingerprint);
    }
    if (!offered.rtcpMux) {
      return fail(SdpError::kMissingRtcpMux);  // RFC 8829 §5.1.3: we require rtcp-mux
    }
    // RFC 5763 §5: the offerer says actpass (or active); passive would make us the DTLS
    // client, which this server never is. No setup at all means active (RFC 4145 §4).
    if (transport.setup == SetupRole::kPassive || transport.setup == SetupRole::kHoldconn) {
      return fail(SdpError::kUnsupportedSetup);
    }
    if (!firstTransport) {
      firstTransport = transport;
    } else if (transport.iceUfrag != firstTransport->iceUfrag ||
               transport.icePwd != firstTransport->icePwd ||
               preferredFingerprint(transport.fingerprints).value !=
                   preferredFingerprint(firstTransport->fingerprints).value) {
      return fail(SdpError::kInconsistentTransport);  // RFC 8843 §7.1: one transport
    }

    MediaSection m;
    m.kind = offered.kind;
    m.port = 9;  // RFC 8839 §4.2: the "discard" port when ICE picks the address
    m.protocol = offered.protocol;
    for (const Codec& c : codecs) {
      m.formats.push_back(std::to_string(c.payloadType));
    }
    m.codecs = codecs;
    m.extensions = extensions;
    m.mid = offered.mid;
    m.rtcpRsize = offered.rtcpRsize;
    applyLocalTransport(m, local, SetupRole::kPassive);
    bool clientSends = transport.direction == Direction::kSendOnly ||
                       transport.direction == Direction::kSendRecv;
    m.direction = clientSends ? Direction::kRecvOnly : Direction::kInactive;

    if (clientSends) {
      PublishedTrack track;
      track.mid = offered.mid;
      track.kind = offered.kind;
      track.codecs = codecs;
      track.extensions = extensions;
      fillSsrcs(offered, track);
      if (simulcast) {
        // RFC 8853 §5.3: the answer mirrors the accepted send streams as recv.
        Simulcast mirrored;
        for (const std::string& stream : simulcastStreams) {
          std::string id = stream.starts_with('~') ? stream.substr(1) : stream;
          track.rids.push_back(id);
          m.rids.push_back(Rid{id, "recv", {}});
          mirrored.recv.push_back({stream});
        }
        m.simulcast = std::move(mirrored);
      }
      result.tracks.push_back(std::move(track));
    }
    acceptedMids.push_back(offered.mid);
    answer.media.push_back(std::move(m));
  }

  if (acceptedMids.empty()) {
    return fail(SdpError::kNoAcceptedMedia);
  }
  if (bundle == nullptr && acceptedMids.size() > 1) {
    return fail(SdpError::kMissingBundle);
  }
  answer.groups.push_back(Group{"BUNDLE", acceptedMids});
  result.remoteIceUfrag = firstTransport->iceUfrag;
  result.remoteIcePwd = firstTransport->icePwd;
  result.remoteFingerprint = preferredFingerprint(firstTransport->fingerprints);
  return result;
}

}  // namespace medrtc::sdp
