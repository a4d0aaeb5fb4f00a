#include "sdp/server_capabilities.hpp"

#include "sdp/text.hpp"

namespace medrtc::sdp {

namespace {

bool isBaselineH264(const Codec& c) {
  // RFC 6184 §8.1: packetization-mode defaults to 0 (single NAL unit), which browsers'
  // packetizers do not produce for large frames; require 1 (non-interleaved).
  auto mode = text::fmtpParameter(c.fmtp, "packetization-mode");
  if (!mode || *mode != "1") {
    return false;
  }
  // profile-level-id defaults to 420010 (baseline). profile_idc is its first byte; 0x42 covers
  // baseline and, with constraint_set1, constrained baseline (42e0xx, 42c0xx, 4240xx).
  std::string_view profile = text::fmtpParameter(c.fmtp, "profile-level-id").value_or("420010");
  return profile.size() == 6 && text::iequals(profile.substr(0, 2), "42");
}

}  // namespace

const std::vector<ServerCodec>& serverCodecs() {
  static const std::vector<ServerCodec> table = {
      // RFC 7587 §6.1: in-band FEC lets the receiver rebuild a lost frame from the next
      // packet (audio survives loss that video recovers from by NACK); DTX sends ~1 packet
      // per 400 ms in silence, which frees the patient's uplink for video.
      {"audio", "opus", 48000, 2, 111, std::nullopt, "minptime=10;useinbandfec=1;usedtx=1",
       {"transport-cc"}},
      {"video", "VP8", 90000, 0, 96, 97, "", {"transport-cc", "ccm fir", "nack", "nack pli"}},
      {"video", "H264", 90000, 0, 102, 103,
       "level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f",
       {"transport-cc", "ccm fir", "nack", "nack pli"}},
  };
  return table;
}

ServerCapabilities ServerCapabilities::defaults() {
  ServerCapabilities caps;
  caps.codecs = serverCodecs();
  caps.headerExtensions = {std::string(kExtSdesMid), std::string(kExtAbsSendTime),
                           std::string(kExtTransportWideCc), std::string(kExtAudioLevel)};
  return caps;
}

const ServerCodec* matchServerCodec(const Codec& offered, std::string_view kind,
                                    const ServerCapabilities& caps) {
  for (const ServerCodec& s : caps.codecs) {
    if (s.kind != kind || !text::iequals(s.name, offered.name) ||
        s.clockRate != offered.clockRate) {
      continue;
    }
    // RFC 7587 §7: opus is always signalled as 2 channels.
    uint32_t channels = offered.channels == 0 && kind == "audio" ? 1 : offered.channels;
    if (s.channels != 0 && s.channels != channels) {
      continue;
    }
    if (text::iequals(s.name, "H264") && !isBaselineH264(offered)) {
      continue;
    }
    return &s;
  }
  return nullptr;
}

std::optional<int> canonicalPayloadType(const Codec& codec) {
  static const ServerCapabilities caps = ServerCapabilities::defaults();
  for (std::string_view kind : {"audio", "video"}) {
    if (const ServerCodec* s = matchServerCodec(codec, kind, caps)) {
      return s->payloadType;
    }
  }
  return std::nullopt;
}

std::vector<PayloadTypeMapping> canonicalPayloadTypeMap(const std::vector<Codec>& codecs) {
  std::vector<PayloadTypeMapping> map;
  for (const Codec& c : codecs) {
    if (auto pt = canonicalPayloadType(c)) {
      map.push_back({c.payloadType, *pt});
    }
  }
  for (const Codec& c : codecs) {
    if (!c.rtxFor) {
      continue;
    }
    for (const Codec& original : codecs) {
      if (original.payloadType != *c.rtxFor) {
        continue;
      }
      for (const ServerCodec& s : serverCodecs()) {
        if (auto pt = canonicalPayloadType(original); pt && *pt == s.payloadType && s.rtxPayloadType) {
          map.push_back({c.payloadType, *s.rtxPayloadType});
        }
      }
    }
  }
  return map;
}

std::vector<Codec> canonicalCodecsFor(const Codec& publisherCodec) {
  std::vector<Codec> out;
  auto pt = canonicalPayloadType(publisherCodec);
  if (!pt) {
    return out;
  }
  for (const ServerCodec& s : serverCodecs()) {
    if (s.payloadType != *pt) {
      continue;
    }
    Codec c;
    c.payloadType = s.payloadType;
    c.name = s.name;
    c.clockRate = s.clockRate;
    c.channels = s.channels;
    c.fmtp = s.fmtp;
    c.rtcpFeedback = s.rtcpFeedback;
    out.push_back(c);
    if (s.rtxPayloadType) {
      Codec rtx;
      rtx.payloadType = *s.rtxPayloadType;
      rtx.name = "rtx";
      rtx.clockRate = s.clockRate;
      rtx.fmtp = "apt=" + std::to_string(s.payloadType);
      rtx.rtxFor = s.payloadType;
      out.push_back(rtx);
    }
  }
  return out;
}

}  // namespace medrtc::sdp
