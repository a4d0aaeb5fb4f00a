#include "sdp/parse.hpp"

#include <set>

#include "sdp/attributes.hpp"
#include "sdp/codec_lines.hpp"
#include "sdp/text.hpp"

namespace medrtc::sdp {

namespace {

class Parser {
 public:
  Result<SessionDescription, ParseFailure> run(std::string_view sdp);

 private:
  using Step = std::optional<ParseFailure>;  // nullopt = line accepted

  Step fail(SdpError code) const { return ParseFailure{code, lineNo_}; }
  Step sessionLine(char type, std::string_view value);
  Step mediaLine(std::string_view value);
  Step attribute(std::string_view name, std::string_view value, bool hasValue);
  Step sessionAttribute(std::string_view name, std::string_view value, bool hasValue);
  Step mediaAttribute(std::string_view name, std::string_view value, bool hasValue);
  Step finishSection();

  MediaSection& media() { return sdp_.media.back(); }
  bool inMedia() const { return !sdp_.media.empty(); }

  SessionDescription sdp_;
  CodecLines section_;
  std::set<std::string> mids_;
  size_t lineNo_ = 0;
  bool haveOrigin_ = false;
  bool haveSessionName_ = false;
};

std::optional<Connection> parseConnection(std::string_view value) {
  auto f = text::splitSpaces(value);
  if (f.size() != 3 || f[0] != "IN" || (f[1] != "IP4" && f[1] != "IP6") || f[2].size() > 255) {
    return std::nullopt;
  }
  return Connection{std::string(f[1]), std::string(f[2])};
}

Result<SessionDescription, ParseFailure> Parser::run(std::string_view input) {
  if (input.size() > kMaxSdpBytes) {
    return medrtc::fail(ParseFailure{SdpError::kTooLarge, 0});
  }
  size_t pos = 0;
  while (pos < input.size()) {
    size_t end = input.find('\n', pos);
    std::string_view line = input.substr(pos, end == std::string_view::npos ? end : end - pos);
    pos = end == std::string_view::npos ? input.size() : end + 1;
    if (!line.empty() && line.back() == '\r') {
      line.remove_suffix(1);
    }
    if (++lineNo_ > kMaxSdpLines) {
      return medrtc::fail(ParseFailure{SdpError::kTooManyLines, lineNo_});
    }
    if (lineNo_ == 1) {
      if (line != "v=0") {
        return medrtc::fail(ParseFailure{SdpError::kMissingVersion, 1});
      }
      continue;
    }
    if (line.empty()) {
      continue;  // a blank line (often the last) carries nothing; tolerate it
    }
    if (line.size() < 2 || line[1] != '=' || line[0] < 'a' || line[0] > 'z') {
      return medrtc::fail(ParseFailure{SdpError::kMalformedLine, lineNo_});
    }
    for (char c : line) {
      auto u = static_cast<unsigned char>(c);
      if ((u < 0x20 && c != '\t') || u == 0x7f) {
        return medrtc::fail(ParseFailure{SdpError::kMalformedLine, lineNo_});
      }
    }
    char type = line[0];
    std::string_view value = line.substr(2);
    Step step;
    if (type == 'm') {
      step = mediaLine(value);
    } else if (type == 'a') {
      size_t colon = value.find(':');
      if (colon == std::string_view::npos) {
        step = attribute(value, {}, false);
      } else {
        step = attribute(value.substr(0, colon), value.substr(colon + 1), true);
      }
    } else {
      step = sessionLine(type, value);
    }
    if (step) {
      return medrtc::fail(*step);
    }
  }
  if (lineNo_ == 0) {
    return medrtc::fail(ParseFailure{SdpError::kMissingVersion, 0});
  }
  if (inMedia()) {
    if (Step step = finishSection()) {
      return medrtc::fail(*step);
    }
  }
  if (!haveOrigin_) {
    return medrtc::fail(ParseFailure{SdpError::kMissingOrigin, 0});
  }
  if (!haveSessionName_) {
    return medrtc::fail(ParseFailure{SdpError::kMissingSessionName, 0});
  }
  return std::move(sdp_);
}

Parser::Step Parser::sessionLine(char type, std::string_view value) {
  if (type == 'c') {
    auto c = parseConnection(value);
    if (!c) {
      return fail(SdpError::kInvalidConnection);
    }
    (inMedia() ? media().connection : sdp_.connection) = std::move(*c);
    return std::nullopt;
  }
  if (type == 'b') {
    (inMedia() ? media().bandwidths : sdp_.bandwidths).emplace_back(value);
    return std::nullopt;
  }
  if (inMedia()) {
    return std::nullopt;  // i=, k= in a media section: informational, dropped
  }
  if (type == 'o') {
    // RFC 8866 §5.2: username sess-id sess-version nettype addrtype unicast-address.
    auto f = text::splitSpaces(value);
    // sess-id is digits but may exceed 64 bits in some stacks, so it is checked, not converted.
    if (haveOrigin_ || f.size() != 6 || f[1].empty() || f[1].size() > 64 ||
        f[1].find_first_not_of("0123456789") != std::string_view::npos) {
      return fail(SdpError::kInvalidOrigin);
    }
    auto version = text::parseUnsigned<uint64_t>(f[2]);
    if (!version || f[3] != "IN" || !text::isToken(f[0])) {
      return fail(SdpError::kInvalidOrigin);
    }
    sdp_.originUsername = std::string(f[0]);
    sdp_.sessionId = std::string(f[1]);
    sdp_.sessionVersion = *version;
    sdp_.originAddressType = std::string(f[4]);
    sdp_.originAddress = std::string(f[5]);
    haveOrigin_ = true;
    return std::nullopt;
  }
  if (type == 's') {
    sdp_.sessionName = value.empty() ? std::string("-") : std::string(value);
    haveSessionName_ = true;
    return std::nullopt;
  }
  // t=, r=, z=, i=, u=, e=, p=, k=: WebRTC uses "t=0 0" and nothing else; the serializer
  // writes that back.
  return std::nullopt;
}

Parser::Step Parser::mediaLine(std::string_view value) {
  if (inMedia()) {
    if (Step step = finishSection()) {
      return step;
    }
  } else if (!haveOrigin_) {
    return fail(SdpError::kMissingOrigin);
  }
  // RFC 8866 §5.14: media SP port ["/" integer] SP proto 1*(SP fmt).
  auto f = text::splitSpaces(value);
  if (f.size() < 4 || !text::isToken(f[0]) || f[2].empty()) {
    return fail(SdpError::kInvalidMediaLine);
  }
  MediaSection m;
  m.kind = std::string(f[0]);
  std::string_view portText = f[1].substr(0, f[1].find('/'));
  auto port = text::parseUnsigned<uint32_t>(portText, 65535);
  if (!port) {
    return fail(SdpError::kInvalidPort);
  }
  m.port = static_cast<uint16_t>(*port);
  m.protocol = std::string(f[2]);
  std::set<int> seen;
  for (size_t i = 3; i < f.size(); ++i) {
    if (m.isRtp()) {
      auto pt = text::parseUnsigned<int>(f[i], 127);
      if (!pt || !seen.insert(*pt).second) {
        return fail(SdpError::kInvalidPayloadType);
      }
    } else if (!text::isToken(f[i])) {
      return fail(SdpError::kInvalidMediaLine);
    }
    m.formats.emplace_back(f[i]);
  }
  sdp_.media.push_back(std::move(m));
  section_ = CodecLines{};
  section_.line = lineNo_;
  return std::nullopt;
}

Parser::Step Parser::attribute(std::string_view name, std::string_view value, bool hasValue) {
  // Attributes valid at both levels.
  if (name == "ice-ufrag") {
    if (!isValidIceUfrag(value)) {
      return fail(SdpError::kInvalidIceCredentials);
    }
    (inMedia() ? media().iceUfrag : sdp_.iceUfrag) = std::string(value);
    return std::nullopt;
  }
  if (name == "ice-pwd") {
    if (!isValidIcePwd(value)) {
      return fail(SdpError::kInvalidIceCredentials);
    }
    (inMedia() ? media().icePwd : sdp_.icePwd) = std::string(value);
    return std::nullopt;
  }
  if (name == "ice-options") {
    (inMedia() ? media().iceOptions : sdp_.iceOptions) = std::string(text::trim(value));
    return std::nullopt;
  }
  if (name == "fingerprint") {
    auto fp = parseFingerprint(value);
    if (!fp) {
      return fail(SdpError::kInvalidFingerprint);
    }
    (inMedia() ? media().fingerprints : sdp_.fingerprints).push_back(std::move(*fp));
    return std::nullopt;
  }
  if (name == "setup") {
    auto role = parseSetupRole(value);
    if (!role) {
      return fail(SdpError::kInvalidSetup);
    }
    (inMedia() ? media().setup : sdp_.setup) = *role;
    return std::nullopt;
  }
  if (!hasValue) {
    if (auto dir = parseDirection(name)) {
      (inMedia() ? media().direction : sdp_.direction) = *dir;
      return std::nullopt;
    }
    if (name == "extmap-allow-mixed") {
      (inMedia() ? media().extmapAllowMixed : sdp_.extmapAllowMixed) = true;
      return std::nullopt;
    }
  }
  return inMedia() ? mediaAttribute(name, value, hasValue)
                   : sessionAttribute(name, value, hasValue);
}

Parser::Step Parser::sessionAttribute(std::string_view name, std::string_view value,
                                      bool hasValue) {
  if (name == "ice-lite" && !hasValue) {
    sdp_.iceLite = true;
    return std::nullopt;
  }
  if (name == "group") {
    auto g = parseGroup(value);
    if (!g) {
      return fail(SdpError::kInvalidGroup);
    }
    sdp_.groups.push_back(std::move(*g));
    return std::nullopt;
  }
  if (name == "msid-semantic") {
    sdp_.msidSemantic = std::string(text::trim(value));
    return std::nullopt;
  }
  std::string raw(name);
  if (hasValue) {
    raw += ':';
    raw += value;
  }
  sdp_.otherAttributes.push_back(std::move(raw));
  return std::nullopt;
}

Parser::Step Parser::mediaAttribute(std::string_view name, std::string_view value,
                                    bool hasValue) {
  MediaSection& m = media();
  if (!hasValue) {
    if (name == "rtcp-mux") {
      m.rtcpMux = true;
      return std::nullopt;
    }
    if (name == "rtcp-rsize") {
      m.rtcpRsize = true;
      return std::nullopt;
    }
    if (name == "end-of-candidates") {
      m.endOfCandidates = true;
      return std::nullopt;
    }
  } else if (name == "mid") {
    // RFC 5888 §4: identification-tag = token. Unique per description (RFC 8829 §5.2.1).
    if (!text::isToken(value) || value.size() > 256 || !m.mid.empty()) {
      return fail(SdpError::kInvalidMid);
    }
    if (!mids_.insert(std::string(value)).second) {
      return fail(SdpError::kDuplicateMid);
    }
    m.mid = std::string(value);
    return std::nullopt;
  } else if (m.isRtp() && (name == "rtpmap" || name == "fmtp" || name == "rtcp-fb")) {
    size_t sp = value.find(' ');
    std::string_view pt = value.substr(0, sp);
    std::string_view rest = sp == std::string_view::npos ? std::string_view{} : value.substr(sp + 1);
    bool wildcard = name == "rtcp-fb" && pt == "*";  // RFC 4585 §4.2
    if (!wildcard && !text::parseUnsigned<int>(pt, 127)) {
      return fail(SdpError::kInvalidPayloadType);
    }
    auto& list = name == "rtpmap" ? section_.rtpmaps
                 : name == "fmtp" ? section_.fmtps
                                  : section_.rtcpFbs;
    list.push_back(CodecLine{pt, text::trim(rest), lineNo_});
    return std::nullopt;
  } else if (name == "extmap") {
    auto e = parseExtMap(value);
    if (!e) {
      return fail(SdpError::kInvalidExtmap);
    }
    for (const ExtMap& other : m.extensions) {
      if (other.id == e->id) {
        return fail(SdpError::kInvalidExtmap);  // RFC 8285 §5: one URI per id
      }
    }
    m.extensions.push_back(std::move(*e));
    return std::nullopt;
  } else if (name == "ssrc") {
    // RFC 5576 §4.1: ssrc-id SP attribute [":" value].
    size_t sp = value.find(' ');
    auto ssrc = text::parseUnsigned<uint32_t>(value.substr(0, sp), UINT32_MAX);
    if (!ssrc || sp == std::string_view::npos) {
      return fail(SdpError::kInvalidSsrc);
    }
    std::string_view attr = value.substr(sp + 1);
    size_t colon = attr.find(':');
    std::string_view attrName = attr.substr(0, colon);
    std::string_view attrValue =
        colon == std::string_view::npos ? std::string_view{} : attr.substr(colon + 1);
    if (!text::isToken(attrName)) {
      return fail(SdpError::kInvalidSsrc);
    }
    SsrcInfo* info = nullptr;
    for (SsrcInfo& s : m.ssrcs) {
      if (s.ssrc == *ssrc) {
        info = &s;
      }
    }
    if (info == nullptr) {
      info = &m.ssrcs.emplace_back();
      info->ssrc = *ssrc;
    }
    // RFC 5576 §6.1: cname always has a value; an empty one could not be written back.
    if ((attrName == "cname" || attrName == "msid") && text::trim(attrValue).empty()) {
      return fail(SdpError::kInvalidSsrc);
    }
    if (attrName == "cname") {
      info->cname = std::string(attrValue);
    } else if (attrName == "msid") {
      info->msid = std::string(attrValue);
    } else {
      info->otherAttributes.emplace_back(std::string(attrName), std::string(attrValue));
    }
    return std::nullopt;
  } else if (name == "ssrc-group") {
    auto g = parseSsrcGroup(value);
    if (!g) {
      return fail(SdpError::kInvalidSsrcGroup);
    }
    m.ssrcGroups.push_back(std::move(*g));
    return std::nullopt;
  } else if (name == "msid") {
    auto msid = parseMsid(value);
    if (!msid) {
      return fail(SdpError::kInvalidMsid);
    }
    m.msid = std::move(*msid);
    return std::nullopt;
  } else if (name == "candidate") {
    auto c = parseCandidate(value);
    if (!c) {
      return fail(SdpError::kInvalidCandidate);
    }
    m.candidates.push_back(CandidateLine{std::string(value), std::move(*c)});
    return std::nullopt;
  } else if (name == "rid") {
    auto r = parseRid(value);
    if (!r) {
      return fail(SdpError::kInvalidRid);
    }
    m.rids.push_back(std::move(*r));
    return std::nullopt;
  } else if (name == "simulcast") {
    auto s = parseSimulcast(value);
    if (!s || m.simulcast) {
      return fail(SdpError::kInvalidSimulcast);
    }
    m.simulcast = std::move(*s);
    return std::nullopt;
  } else if (name == "sctp-port") {
    auto port = text::parseUnsigned<uint32_t>(value, 65535);
    if (!port) {
      return fail(SdpError::kInvalidSctp);
    }
    m.sctpPort = static_cast<uint16_t>(*port);
    return std::nullopt;
  } else if (name == "max-message-size") {
    auto size = text::parseUnsigned<uint64_t>(value);
    if (!size) {
      return fail(SdpError::kInvalidSctp);
    }
    m.maxMessageSize = *size;
    return std::nullopt;
  }
  std::string raw(name);
  if (hasValue) {
    raw += ':';
    raw += value;
  }
  m.otherAttributes.push_back(std::move(raw));
  return std::nullopt;
}

Parser::Step Parser::finishSection() { return assembleCodecs(media(), section_); }

}  // namespace

Result<SessionDescription, ParseFailure> parse(std::string_view sdp) {
  return Parser{}.run(sdp);
}

}  // namespace medrtc::sdp
