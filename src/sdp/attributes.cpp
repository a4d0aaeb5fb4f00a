#include "sdp/attributes.hpp"

#include "sdp/text.hpp"

namespace medrtc::sdp {

namespace {

bool isIceChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' ||
         c == '/';
}

bool isIceString(std::string_view s, size_t minLen, size_t maxLen) {
  if (s.size() < minLen || s.size() > maxLen) {
    return false;
  }
  for (char c : s) {
    if (!isIceChar(c)) {
      return false;
    }
  }
  return true;
}

bool isHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// RFC 8851 §10: rid-id = 1*(alpha-numeric / "-" / "_"). Bounded so one rid cannot be huge.
bool isRidId(std::string_view s) {
  if (s.empty() || s.size() > 64) {
    return false;
  }
  for (char c : s) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    if (!ok) {
      return false;
    }
  }
  return true;
}

// RFC 8853 §5.1: sc-str-list = sc-alt-list *(";" sc-alt-list); sc-alt-list = sc-id *("," sc-id);
// sc-id = ["~"] rid-id.
std::optional<std::vector<std::vector<std::string>>> parseSimulcastList(std::string_view list) {
  // draft-ietf-mmusic-sdp-simulcast-04 (old Firefox) wrote "rid=a;b"; accept the prefix.
  if (list.substr(0, 4) == "rid=") {
    list.remove_prefix(4);
  }
  std::vector<std::vector<std::string>> streams;
  for (std::string_view stream : text::split(list, ';')) {
    std::vector<std::string> alternatives;
    for (std::string_view alt : text::split(stream, ',')) {
      std::string_view id = alt;
      if (!id.empty() && id.front() == '~') {
        id.remove_prefix(1);
      }
      if (!isRidId(id)) {
        return std::nullopt;
      }
      alternatives.emplace_back(alt);
    }
    streams.push_back(std::move(alternatives));
  }
  return streams;
}

}  // namespace

bool isValidIceUfrag(std::string_view s) { return isIceString(s, 4, 256); }
bool isValidIcePwd(std::string_view s) { return isIceString(s, 22, 256); }

std::optional<Direction> parseDirection(std::string_view name) {
  if (name == "sendrecv") {
    return Direction::kSendRecv;
  }
  if (name == "sendonly") {
    return Direction::kSendOnly;
  }
  if (name == "recvonly") {
    return Direction::kRecvOnly;
  }
  if (name == "inactive") {
    return Direction::kInactive;
  }
  return std::nullopt;
}

std::optional<SetupRole> parseSetupRole(std::string_view value) {
  if (value == "actpass") {
    return SetupRole::kActpass;
  }
  if (value == "active") {
    return SetupRole::kActive;
  }
  if (value == "passive") {
    return SetupRole::kPassive;
  }
  if (value == "holdconn") {
    return SetupRole::kHoldconn;
  }
  return std::nullopt;
}

// RFC 8839 §5.1: foundation component-id transport priority address port "typ" cand-type
// [raddr] [rport] *(extension-att-name extension-att-value). Extensions are not needed here.
std::optional<Candidate> parseCandidate(std::string_view value) {
  auto f = text::splitSpaces(value);
  if (f.size() < 8 || f[6] != "typ") {
    return std::nullopt;
  }
  Candidate c;
  if (!isIceString(f[0], 1, 32)) {
    return std::nullopt;
  }
  c.foundation = std::string(f[0]);
  auto component = text::parseUnsigned<uint32_t>(f[1], 256);
  auto priority = text::parseUnsigned<uint32_t>(f[3], UINT32_MAX);
  auto port = text::parseUnsigned<uint32_t>(f[5], 65535);
  if (!component || *component == 0 || !priority || !port || !text::isToken(f[2]) ||
      !text::isToken(f[7]) || f[4].empty() || f[4].size() > 255) {
    return std::nullopt;
  }
  c.component = *component;
  c.transport = std::string(f[2]);
  c.priority = *priority;
  c.address = std::string(f[4]);
  c.port = static_cast<uint16_t>(*port);
  c.type = std::string(f[7]);
  return c;
}

// RFC 8122 §5: hash-func SP fingerprint, fingerprint = 2UHEX *(":" 2UHEX). Lower-case hex is
// accepted (some stacks send it); the digest length is bounded by SHA-512's 64 bytes.
std::optional<Fingerprint> parseFingerprint(std::string_view value) {
  auto f = text::splitSpaces(value);
  if (f.size() != 2 || !text::isToken(f[0])) {
    return std::nullopt;
  }
  auto bytes = text::split(f[1], ':');
  if (bytes.empty() || bytes.size() > 64) {
    return std::nullopt;
  }
  for (std::string_view b : bytes) {
    if (b.size() != 2 || !isHex(b[0]) || !isHex(b[1])) {
      return std::nullopt;
    }
  }
  return Fingerprint{text::toLower(f[0]), std::string(f[1])};
}

// RFC 8285 §8: extmap = mapentry SP extensionname [SP extensionattributes];
// mapentry = "extmap:" 1*5DIGIT ["/" direction].
std::optional<ExtMap> parseExtMap(std::string_view value) {
  size_t sp = value.find(' ');
  if (sp == std::string_view::npos) {
    return std::nullopt;
  }
  std::string_view entry = value.substr(0, sp);
  std::string_view rest = text::trim(value.substr(sp + 1));
  ExtMap e;
  size_t slash = entry.find('/');
  if (slash != std::string_view::npos) {
    e.direction = parseDirection(entry.substr(slash + 1));
    if (!e.direction) {
      return std::nullopt;
    }
    entry = entry.substr(0, slash);
  }
  // RFC 8285 §5: 1-14 for the one-byte form, up to 255 for the two-byte form. The 4096-4351
  // "negotiation" range is never used by browsers and is refused.
  auto id = text::parseUnsigned<uint32_t>(entry, 255);
  if (!id || *id == 0) {
    return std::nullopt;
  }
  e.id = static_cast<int>(*id);
  size_t uriEnd = rest.find(' ');
  std::string_view uri = rest.substr(0, uriEnd);
  if (uri.empty()) {
    return std::nullopt;
  }
  e.uri = std::string(uri);
  if (uriEnd != std::string_view::npos) {
    e.attributes = std::string(text::trim(rest.substr(uriEnd + 1)));
  }
  return e;
}

// RFC 8851 §10: rid-syntax = "a=rid:" rid-id SP rid-dir [ rid-pt-param-list / rid-param-list ].
std::optional<Rid> parseRid(std::string_view value) {
  auto f = text::splitSpaces(value);
  if (f.size() < 2 || f.size() > 3 || !isRidId(f[0]) || (f[1] != "send" && f[1] != "recv")) {
    return std::nullopt;
  }
  Rid r{std::string(f[0]), std::string(f[1]), {}};
  if (f.size() == 3) {
    r.params = std::string(f[2]);
  }
  return r;
}

// RFC 8853 §5.1: sc-value = ( sc-send [SP sc-recv] ) / ( sc-recv [SP sc-send] ).
std::optional<Simulcast> parseSimulcast(std::string_view value) {
  auto f = text::splitSpaces(value);
  if (f.size() != 2 && f.size() != 4) {
    return std::nullopt;
  }
  Simulcast s;
  bool haveSend = false;
  bool haveRecv = false;
  for (size_t i = 0; i < f.size(); i += 2) {
    auto list = parseSimulcastList(f[i + 1]);
    if (!list) {
      return std::nullopt;
    }
    if (f[i] == "send" && !haveSend) {
      s.send = std::move(*list);
      haveSend = true;
    } else if (f[i] == "recv" && !haveRecv) {
      s.recv = std::move(*list);
      haveRecv = true;
    } else {
      return std::nullopt;
    }
  }
  return s;
}

// RFC 5888 §5: group-attribute = "a=group:" semantics *(SP identification-tag).
std::optional<Group> parseGroup(std::string_view value) {
  auto f = text::splitSpaces(value);
  if (f.empty() || !text::isToken(f[0])) {
    return std::nullopt;
  }
  Group g{std::string(f[0]), {}};
  for (size_t i = 1; i < f.size(); ++i) {
    if (!text::isToken(f[i])) {
      return std::nullopt;
    }
    g.mids.emplace_back(f[i]);
  }
  return g;
}

// RFC 5576 §4.2: "a=ssrc-group:" semantics *(SP ssrc-id).
std::optional<SsrcGroup> parseSsrcGroup(std::string_view value) {
  auto f = text::splitSpaces(value);
  if (f.size() < 2 || !text::isToken(f[0])) {
    return std::nullopt;
  }
  SsrcGroup g{std::string(f[0]), {}};
  for (size_t i = 1; i < f.size(); ++i) {
    auto ssrc = text::parseUnsigned<uint32_t>(f[i], UINT32_MAX);
    if (!ssrc) {
      return std::nullopt;
    }
    g.ssrcs.push_back(*ssrc);
  }
  return g;
}

// RFC 8830 §2: msid-value = msid-id [ SP msid-appdata ]; both 1*64token-char.
std::optional<std::pair<std::string, std::string>> parseMsid(std::string_view value) {
  auto f = text::splitSpaces(value);
  if (f.empty() || f.size() > 2) {
    return std::nullopt;
  }
  for (std::string_view id : f) {
    if (!text::isToken(id) || id.size() > 64) {
      return std::nullopt;
    }
  }
  return std::make_pair(std::string(f[0]), f.size() == 2 ? std::string(f[1]) : std::string());
}

}  // namespace medrtc::sdp
