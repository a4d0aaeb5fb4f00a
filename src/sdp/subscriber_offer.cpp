#include "sdp/subscriber_offer.hpp"

#include "sdp/server_capabilities.hpp"
#include "sdp/text.hpp"

namespace medrtc::sdp {

namespace {

// `bundleTag`: this is the first m-line, whose mid tags the BUNDLE transport.
MediaSection offerSection(const OutgoingTrack& t, const LocalTransport& local, bool bundleTag,
                          const SubscriberExtensions& ext) {
  MediaSection m;
  m.kind = t.kind;
  m.port = t.active || bundleTag ? 9 : 0;
  m.protocol = "UDP/TLS/RTP/SAVPF";
  m.mid = t.mid;
  applyLocalTransport(m, local, SetupRole::kActpass);
  m.rtcpRsize = true;
  for (const Codec& c : t.codecs) {
    Codec out = c;
    // Feedback the SFU answers itself per hop: NACK from its RTX cache, PLI/FIR forwarded
    // upstream. transport-cc: the subscriber reports every packet of this hop, for the
    // SFU's send-side estimator. goog-remb is not offered: it is the receiver's own guess
    // (docs/bandwidth-estimation.md).
    out.rtcpFeedback.clear();
    if (t.kind == "video" && !c.rtxFor) {
      out.rtcpFeedback = {"nack", "nack pli", "ccm fir"};
    }
    if (ext.transportCcId != 0 && !c.rtxFor) {
      out.rtcpFeedback.push_back("transport-cc");
    }
    m.formats.push_back(std::to_string(c.payloadType));
    m.codecs.push_back(std::move(out));
  }
  // Only the extensions of this hop: the publisher's extension block (its ids differ
  // between publishers) is replaced on every packet by one with these ids
  // (rtp/transport_extensions.hpp), so the subscriber never misreads another id map.
  if (ext.absSendTimeId != 0) {
    m.extensions.push_back(ExtMap{ext.absSendTimeId, std::string(kExtAbsSendTime), std::nullopt, {}});
  }
  if (ext.transportCcId != 0) {
    m.extensions.push_back(ExtMap{ext.transportCcId, std::string(kExtTransportWideCc), std::nullopt, {}});
  }
  if (!t.active) {
    m.direction = Direction::kInactive;
    if (bundleTag) {
      // Rejecting the BUNDLE-tagged m-line would make the browser replace the whole
      // transport (new ICE and DTLS for every track): keep it bundled, just inactive, as
      // mediasoup does.
      return m;
    }
    // A stopped transceiver in a re-offer (RFC 8829 §5.2.2): port 0, inactive, no ssrc.
    m.candidates.clear();
    m.endOfCandidates = false;
    return m;
  }
  m.direction = Direction::kSendOnly;
  m.msid = std::make_pair(t.participantId, t.trackId);
  std::string msid = t.participantId + " " + t.trackId;
  if (t.rtxSsrc != 0) {
    m.ssrcGroups.push_back(SsrcGroup{"FID", {t.ssrc, t.rtxSsrc}});  // RFC 4588 §8.4
  }
  m.ssrcs.push_back(SsrcInfo{t.ssrc, t.cname, msid, {}});
  if (t.rtxSsrc != 0) {
    m.ssrcs.push_back(SsrcInfo{t.rtxSsrc, t.cname, msid, {}});
  }
  return m;
}

const Fingerprint& preferredFingerprint(const std::vector<Fingerprint>& list) {
  for (const Fingerprint& f : list) {
    if (f.algorithm == "sha-256") {
      return f;
    }
  }
  return list.front();
}

bool contains(const std::vector<std::string>& list, const std::string& item) {
  for (const std::string& s : list) {
    if (s == item) {
      return true;
    }
  }
  return false;
}

}  // namespace

SessionDescription buildSubscriberOffer(const std::vector<OutgoingTrack>& tracks,
                                        const LocalTransport& local, uint64_t sessionVersion,
                                        const SubscriberExtensions& extensions) {
  SessionDescription sdp = makeLocalSession(local, sessionVersion);
  Group bundle{"BUNDLE", {}};
  for (const OutgoingTrack& t : tracks) {
    bool bundleTag = sdp.media.empty();
    sdp.media.push_back(offerSection(t, local, bundleTag, extensions));
    if (t.active || bundleTag) {
      bundle.mids.push_back(t.mid);  // RFC 8843 §7.2: rejected m-lines leave the group
    }
  }
  if (!bundle.mids.empty()) {
    sdp.groups.push_back(std::move(bundle));
  }
  return sdp;
}

bool hasActiveMedia(const SessionDescription& sdp) {
  for (const MediaSection& m : sdp.media) {
    if (!m.rejected() && m.direction != Direction::kInactive) {
      return true;
    }
  }
  return false;
}

Result<SubscriberAnswerInfo, SdpError> readSubscriberAnswer(const SessionDescription& answer) {
  SubscriberAnswerInfo info;
  std::optional<TransportParams> first;
  const Group* bundle = answer.bundleGroup();
  for (const MediaSection& m : answer.media) {
    if (m.rejected()) {
      info.rejectedMids.push_back(m.mid);
      continue;
    }
    if (m.mid.empty()) {
      return fail(SdpError::kMissingMid);
    }
    TransportParams t = resolveTransport(answer, m);
    if (t.iceUfrag.empty() || t.icePwd.empty()) {
      return fail(SdpError::kMissingIceCredentials);
    }
    if (t.fingerprints.empty()) {
      return fail(SdpError::kMissingFingerprint);
    }
    if (m.isRtp() && !m.rtcpMux) {
      return fail(SdpError::kMissingRtcpMux);
    }
    // RFC 5763 §5: the answerer picks active or passive; we are always the DTLS server, so
    // only active works. An absent setup means active (RFC 4145 §4).
    if (t.setup && *t.setup != SetupRole::kActive) {
      return fail(SdpError::kUnsupportedSetup);
    }
    if (bundle != nullptr && !contains(bundle->mids, m.mid)) {
      return fail(SdpError::kMissingBundle);
    }
    if (!first) {
      first = t;
    } else if (t.iceUfrag != first->iceUfrag || t.icePwd != first->icePwd ||
               preferredFingerprint(t.fingerprints).value !=
                   preferredFingerprint(first->fingerprints).value) {
      return fail(SdpError::kInconsistentTransport);
    }
    // Extensions are negotiated per m-line, and an answerer may keep them on some only
    // (werift keeps transport-wide-cc where its configuration lists it, e.g. on video and
    // not audio): any accepted m-line that kept one names its id for the whole bundled
    // transport (RFC 8843 §9.2: one id, one URI in a bundle). Reading the first m-line only
    // left such a subscriber without rewriting or estimator, and its video then carried the
    // publisher's extension ids under the ones it had negotiated.
    for (const ExtMap& e : m.extensions) {
      if (e.uri == kExtAbsSendTime && info.absSendTimeId == 0) {
        info.absSendTimeId = e.id;
      } else if (e.uri == kExtTransportWideCc && info.transportCcId == 0) {
        info.transportCcId = e.id;
      }
    }
    info.acceptedMids.push_back(m.mid);
    for (const Codec& c : m.codecs) {
      if (c.rtxFor && text::iequals(c.name, "rtx")) {
        info.rtxMids.push_back(m.mid);
        break;
      }
    }
  }
  if (!first) {
    return fail(SdpError::kNoAcceptedMedia);
  }
  if (bundle == nullptr && info.acceptedMids.size() > 1) {
    return fail(SdpError::kMissingBundle);
  }
  info.remoteIceUfrag = first->iceUfrag;
  info.remoteIcePwd = first->icePwd;
  info.remoteFingerprint = preferredFingerprint(first->fingerprints);
  return info;
}

}  // namespace medrtc::sdp
