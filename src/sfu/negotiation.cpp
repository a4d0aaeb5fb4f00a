#include "sfu/negotiation.hpp"

#include <algorithm>

#include "sdp/parse.hpp"
#include "sdp/publish_answer.hpp"
#include "sdp/serialize.hpp"
#include "sdp/server_capabilities.hpp"
#include "sdp/subscriber_offer.hpp"

namespace medrtc::sfu {

namespace {

sdp::LocalTransport toSdp(const LocalTransportParameters& local) {
  sdp::LocalTransport out;
  out.iceUfrag = local.iceUfrag;
  out.icePwd = local.icePwd;
  out.fingerprintSha256 = local.fingerprintSha256;
  out.candidateIps = local.candidateIps;
  out.candidatePort = local.candidatePort;
  out.udpCandidates = local.udpCandidates;
  out.tcpCandidates = local.tcpCandidates;
  return out;
}

RtpCodec toRtp(const sdp::Codec& codec) {
  return RtpCodec{codec.payloadType, codec.name,         codec.clockRate, codec.channels,
                  codec.fmtp,        codec.rtcpFeedback, codec.rtxFor};
}

sdp::Codec toSdp(const RtpCodec& codec) {
  return sdp::Codec{codec.payloadType, codec.name,         codec.clockRate, codec.channels,
                    codec.fmtp,        codec.rtcpFeedback, codec.rtxFor};
}

RtpHeaderExtensionIds extensionIdsOf(const sdp::PublishedTrack& track) {
  RtpHeaderExtensionIds ids;
  for (const sdp::ExtMap& extension : track.extensions) {
    if (extension.uri == sdp::kExtSdesMid) {
      ids.mid = extension.id;
    } else if (extension.uri == sdp::kExtTransportWideCc) {
      ids.transportCc = extension.id;
    } else if (extension.uri == sdp::kExtAbsSendTime) {
      ids.absSendTime = extension.id;
    } else if (extension.uri == sdp::kExtRtpStreamId) {
      ids.rid = extension.id;
    } else if (extension.uri == sdp::kExtRepairedRtpStreamId) {
      ids.repairedRid = extension.id;
    } else if (extension.uri == sdp::kExtAudioLevel && track.kind == "audio") {
      ids.audioLevel = extension.id;
    }
  }
  return ids;
}

PublishedTrackParameters trackParameters(const sdp::PublishedTrack& track) {
  PublishedTrackParameters out;
  out.mid = track.mid;
  out.kind = track.kind;
  out.trackId = track.msidTrack.empty() ? track.mid : track.msidTrack;
  const sdp::Codec* primary = nullptr;
  for (const sdp::Codec& codec : track.codecs) {
    out.codecs.push_back(toRtp(codec));
    if (!primary && !codec.rtxFor && sdp::canonicalPayloadType(codec)) {
      primary = &codec;
    }
  }
  for (const sdp::PayloadTypeMapping& mapping : sdp::canonicalPayloadTypeMap(track.codecs)) {
    out.forwardedPayloadTypes.push_back(PayloadTypeMapping{mapping.from, mapping.to});
  }
  if (primary) {
    for (const sdp::Codec& codec : sdp::canonicalCodecsFor(*primary)) {
      out.forwardedCodecs.push_back(toRtp(codec));
    }
  }
  out.extensions = extensionIdsOf(track);
  if (track.rids.empty()) {
    out.encodings.push_back(RtpEncoding{track.ssrcs.empty() ? 0 : track.ssrcs.front(), track.rtxSsrc.value_or(0), {}});
  } else {
    for (const std::string& rid : track.rids) {
      out.encodings.push_back(RtpEncoding{0, 0, rid});
    }
  }
  return out;
}

}  // namespace

Result<NegotiatedPublish, MediaError> negotiatePublish(const std::string& offerSdp,
                                                       const LocalTransportParameters& local) {
  auto offer = sdp::parse(offerSdp);
  if (!offer.ok()) {
    return fail(MediaError::kSdpInvalid);
  }
  sdp::ServerCapabilities caps = sdp::ServerCapabilities::defaults();
  caps.acceptSimulcast = true;  // RID simulcast: Producer layers, one forwarded per consumer
  // Every browser decodes VP8; not every one H.264 (Chromium builds without it, Firefox
  // before its OpenH264 plugin is fetched). With no transcoding, the publisher's codec is
  // every subscriber's.
  caps.preferredVideoCodec = "VP8";
  auto negotiated = sdp::answerPublishOffer(*offer, toSdp(local), caps);
  if (!negotiated.ok()) {
    return fail(MediaError::kSdpInvalid);
  }
  NegotiatedPublish out;
  out.parameters.remoteFingerprint = {negotiated->remoteFingerprint.algorithm, negotiated->remoteFingerprint.value};
  for (const sdp::PublishedTrack& track : negotiated->tracks) {
    out.parameters.tracks.push_back(trackParameters(track));
  }
  out.answerSdp = sdp::serialize(negotiated->answer);
  return out;
}

Result<NegotiatedPublish, MediaError> negotiateProbe(const std::string& offerSdp,
                                                     const LocalTransportParameters& local) {
  auto offer = sdp::parse(offerSdp);
  if (!offer.ok()) {
    return fail(MediaError::kSdpInvalid);
  }
  auto negotiated = sdp::answerPublishOffer(*offer, toSdp(local), sdp::ServerCapabilities::defaults());
  if (!negotiated.ok()) {
    return fail(MediaError::kSdpInvalid);
  }
  NegotiatedPublish out;
  out.parameters.remoteFingerprint = {negotiated->remoteFingerprint.algorithm, negotiated->remoteFingerprint.value};
  out.answerSdp = sdp::serialize(negotiated->answer);
  return out;
}

Result<SubscribeAnswer, MediaError> readSubscribeAnswer(const std::string& answerSdp) {
  auto answer = sdp::parse(answerSdp);
  if (!answer.ok()) {
    return fail(MediaError::kSdpInvalid);
  }
  auto info = sdp::readSubscriberAnswer(*answer);
  if (!info.ok()) {
    return fail(MediaError::kSdpInvalid);
  }
  SubscribeAnswer out;
  out.remoteFingerprint = {info->remoteFingerprint.algorithm, info->remoteFingerprint.value};
  out.acceptedMids = std::move(info->acceptedMids);
  out.rtxMids = std::move(info->rtxMids);
  out.rejectedMids = std::move(info->rejectedMids);
  out.absSendTimeId = info->absSendTimeId;
  out.transportCcId = info->transportCcId;
  return out;
}

std::string writeSubscribeOffer(const SubscribeOffer& offer) {
  std::vector<sdp::OutgoingTrack> tracks;
  tracks.reserve(offer.tracks.size());
  for (const SubscribedTrack& subscribed : offer.tracks) {
    sdp::OutgoingTrack track;
    track.mid = subscribed.mid;
    track.kind = subscribed.kind;
    track.active = subscribed.active && !subscribed.codecs.empty();
    track.participantId = subscribed.participantId;
    track.trackId = subscribed.trackId;
    track.ssrc = subscribed.ssrc;
    track.rtxSsrc = subscribed.rtxSsrc;
    track.cname = subscribed.participantId;
    for (const RtpCodec& codec : subscribed.codecs) {
      track.codecs.push_back(toSdp(codec));
    }
    tracks.push_back(std::move(track));
  }
  sdp::SubscriberExtensions extensions = sdp::kDefaultSubscriberExtensions;
  if (const auto& receivable = offer.receivableExtensions) {
    // The subscriber announced what it receives: an extension it did not list is left out.
    auto listed = [&](std::string_view uri) { return std::find(receivable->begin(), receivable->end(), uri) != receivable->end(); };
    extensions.absSendTimeId = listed(sdp::kExtAbsSendTime) ? extensions.absSendTimeId : 0;
    extensions.transportCcId = listed(sdp::kExtTransportWideCc) ? extensions.transportCcId : 0;
  }
  return sdp::serialize(sdp::buildSubscriberOffer(tracks, toSdp(offer.local), offer.version, extensions));
}

}  // namespace medrtc::sfu
