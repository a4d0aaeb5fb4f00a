#include "turn/turn_allocation_probe.hpp"

#include <openssl/evp.h>

#include <charconv>
#include <cstring>

#include "common/random.hpp"
#include "ice/stun_message.hpp"
#include "ice/stun_message_builder.hpp"
#include "turn/turn_probe_channel.hpp"

namespace medrtc::turn {

namespace {

// RFC 8656 §18: the TURN methods and attributes the probe uses.
constexpr auto kAllocate = static_cast<ice::StunMethod>(0x003);
constexpr auto kRefresh = static_cast<ice::StunMethod>(0x004);
constexpr uint16_t kAttrLifetime = 0x000D;
constexpr uint16_t kAttrXorRelayedAddress = 0x0016;
constexpr uint16_t kAttrRequestedTransport = 0x0019;
constexpr uint8_t kProtocolUdp = 17;  // RFC 8656 §18.7: an IANA protocol number
// RFC 8489 §6.2.1: resend an unanswered UDP request after RTO (500 ms), then
// twice as long.
constexpr std::chrono::milliseconds kInitialRto{500};

std::string_view textOf(ByteView v) { return {reinterpret_cast<const char *>(v.data()), v.size()}; }

// The first attribute of `type` before MESSAGE-INTEGRITY (StunMessage keeps
// only the ones ICE needs; REALM, NONCE and the relayed address are TURN's).
std::optional<ByteView> findAttribute(ByteView message, uint16_t type) {
  size_t offset = ice::kStunHeaderSize;
  while (offset + ice::kStunAttributeHeaderSize <= message.size()) {
    uint16_t t = readU16(message.data() + offset);
    uint16_t length = readU16(message.data() + offset + 2);
    size_t value = offset + ice::kStunAttributeHeaderSize;
    if (value + length > message.size()) {
      return std::nullopt;
    }
    if (t == type) {
      return ByteView(message.data() + value, length);
    }
    if (t == ice::attr::kMessageIntegrity) {
      return std::nullopt;
    }
    offset = value + ((size_t{length} + 3) & ~size_t{3});
  }
  return std::nullopt;
}

// RFC 8489 §14.2: port XOR the cookie's high half, address XOR cookie (+
// transaction id).
std::string xorAddress(ByteView v, const ice::TransactionId &tid) {
  if (v.size() < 8) {
    return "";
  }
  uint16_t port = readU16(v.data() + 2) ^ static_cast<uint16_t>(ice::kStunMagicCookie >> 16);
  uint8_t mask[16];
  writeU32(mask, ice::kStunMagicCookie);
  std::memcpy(mask + 4, tid.data(), tid.size());
  size_t n = v[1] == 0x01 ? 4 : 16;
  if (v.size() < 4 + n) {
    return "";
  }
  uint8_t addr[16];
  for (size_t i = 0; i < n; ++i) {
    addr[i] = v[4 + i] ^ mask[i];
  }
  sockaddr_storage ss{};
  if (n == 4) {
    auto *sin = reinterpret_cast<sockaddr_in *>(&ss);
    sin->sin_family = AF_INET;
    sin->sin_port = htons(port);
    std::memcpy(&sin->sin_addr, addr, 4);
    return SocketAddress::fromSockaddr(reinterpret_cast<sockaddr *>(&ss), sizeof(sockaddr_in)).toString();
  }
  auto *sin6 = reinterpret_cast<sockaddr_in6 *>(&ss);
  sin6->sin6_family = AF_INET6;
  sin6->sin6_port = htons(port);
  std::memcpy(&sin6->sin6_addr, addr, 16);
  return SocketAddress::fromSockaddr(reinterpret_cast<sockaddr *>(&ss), sizeof(sockaddr_in6)).toString();
}

// RFC 8489 §9.2.2: key = MD5(username ":" realm ":" password). The REST
// credential is ASCII (base64), so OpaqueString preparation leaves it as it is.
std::string longTermKey(const std::string &username, std::string_view realm, const std::string &password) {
  std::string input = username + ":" + std::string(realm) + ":" + password;
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(input.data(), input.size(), md, &len, EVP_md5(), nullptr);
  return std::string(reinterpret_cast<char *>(md), len);
}

struct Credentials {
  std::string username;
  std::string realm;
  std::string nonce;
  std::string key;
};

class Prober {
 public:
  Prober(ProbeChannel &channel, Deadline deadline) : channel_(channel), deadline_(deadline) {}

  // Sends a request (signed when `auth`) and returns the answer with its
  // transaction id, or nullopt with why() set.
  std::optional<std::vector<uint8_t>> exchange(ice::StunMethod method, const Credentials *auth,
                                               std::optional<uint32_t> lifetime, ice::TransactionId &tid) {
    fillRandom(tid);
    uint8_t buffer[ice::StunMessageBuilder::kRecommendedBufferSize];
    ice::StunMessageBuilder b(MutableByteView(buffer, sizeof buffer), method, ice::StunClass::kRequest, tid);
    if (method == kAllocate) {
      const uint8_t transport[4] = {kProtocolUdp, 0, 0, 0};
      b.addAttribute(kAttrRequestedTransport, ByteView(transport, 4));
    }
    if (lifetime) {
      uint8_t v[4];
      writeU32(v, *lifetime);
      b.addAttribute(kAttrLifetime, ByteView(v, 4));
    }
    if (auth != nullptr) {
      auto bytes = [](const std::string &s) { return ByteView(reinterpret_cast<const uint8_t *>(s.data()), s.size()); };
      b.addUsername(auth->username);
      b.addAttribute(ice::attr::kRealm, bytes(auth->realm));
      b.addAttribute(ice::attr::kNonce, bytes(auth->nonce));
      b.addMessageIntegrity(auth->key);
    }
    b.addFingerprint();
    auto request = b.finish();
    if (!request) {
      why_ = "could not build the request";
      return std::nullopt;
    }
    auto rto = kInitialRto;
    for (;;) {
      if (!channel_.send(*request)) {
        why_ = "cannot send: " + channel_.error();
        return std::nullopt;
      }
      auto resendAt = channel_.reliable() ? deadline_ : std::min(deadline_, std::chrono::steady_clock::now() + rto);
      rto *= 2;
      while (auto answer = channel_.receive(resendAt)) {
        auto parsed = ice::StunMessage::parse(*answer);
        if (parsed && parsed->transactionId() == tid) {
          return answer;
        }
      }
      if (std::chrono::steady_clock::now() >= deadline_ || channel_.error() != "no answer") {
        why_ = channel_.error() == "no answer" ? "no answer within the timeout" : channel_.error();
        return std::nullopt;
      }
    }
  }
  const std::string &why() const { return why_; }

 private:
  ProbeChannel &channel_;
  Deadline deadline_;
  std::string why_;
};

std::string describeError(const ice::StunMessage &m) {
  auto e = m.errorCode();
  if (!e) {
    return "an error without a code";
  }
  std::string out = std::to_string(e->code);
  if (!e->reason.empty()) {
    out.append(" ").append(e->reason);
  }
  return out;
}

}  // namespace

const char *transportName(TurnTransport t) {
  switch (t) {
    case TurnTransport::kUdp:
      return "UDP";
    case TurnTransport::kTcp:
      return "TCP";
    case TurnTransport::kTls:
      return "TLS";
  }
  return "?";
}

Result<TurnServerUri, std::string> parseTurnServerUri(std::string_view uri) {
  TurnServerUri out;
  std::string_view rest;
  if (uri.starts_with("turns:")) {
    out.transport = TurnTransport::kTls;
    out.port = 5349;  // RFC 7065 §3.1 default ports
    rest = uri.substr(6);
  } else if (uri.starts_with("turn:")) {
    out.port = 3478;
    rest = uri.substr(5);
  } else {
    return fail(std::string("not a turn: or turns: URI"));
  }
  std::string_view query;
  if (auto q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  if (query == "transport=tcp" && out.transport == TurnTransport::kUdp) {
    out.transport = TurnTransport::kTcp;
  } else if (!query.empty() && query != "transport=udp" && query != "transport=tcp") {
    return fail("unknown query " + std::string(query));
  }
  std::string_view portText;
  if (rest.starts_with("[")) {
    auto close = rest.find(']');
    if (close == std::string_view::npos) {
      return fail(std::string("unclosed [ in the host"));
    }
    out.host = rest.substr(1, close - 1);
    rest = rest.substr(close + 1);
    if (rest.starts_with(":")) {
      portText = rest.substr(1);
    } else if (!rest.empty()) {
      return fail(std::string("junk after the host"));
    }
  } else if (auto colon = rest.find(':'); colon != std::string_view::npos) {
    out.host = rest.substr(0, colon);
    portText = rest.substr(colon + 1);
  } else {
    out.host = rest;
  }
  if (!portText.empty()) {
    unsigned port = 0;
    auto [end, ec] = std::from_chars(portText.data(), portText.data() + portText.size(), port);
    if (ec != std::errc() || end != portText.data() + portText.size() || port == 0 || port > 65535) {
      return fail("bad port " + std::string(portText));
    }
    out.port = static_cast<uint16_t>(port);
  }
  if (out.host.empty()) {
    return fail(std::string("no host"));
  }
  return out;
}

AllocationProbeResult probeAllocation(const TurnServerUri &server, const std::string &username,
                                      const std::string &password, const AllocationProbeOptions &options) {
  const Deadline deadline = std::chrono::steady_clock::now() + options.timeout;
  const std::string where =
      server.host + ":" + std::to_string(server.port) + " over " + transportName(server.transport);
  AllocationProbeResult result;
  std::string why;
  auto channel = openProbeChannel(server, options.tlsCaFile, deadline, why);
  if (!channel) {
    result.detail = "cannot reach " + where + ": " + why;
    return result;
  }
  Prober prober(*channel, deadline);
  ice::TransactionId tid;
  auto first = prober.exchange(kAllocate, nullptr, std::nullopt, tid);
  if (!first) {
    result.detail = "no TURN answer from " + where + ": " + prober.why() + " (is turnserver running there?)";
    return result;
  }
  auto challenge = ice::StunMessage::parse(*first);
  auto realm = findAttribute(*first, ice::attr::kRealm);
  auto nonce = findAttribute(*first, ice::attr::kNonce);
  if (!challenge || challenge->messageClass() != ice::StunClass::kErrorResponse || !challenge->errorCode() ||
      challenge->errorCode()->code != 401 || !realm || !nonce) {
    result.detail = where +
                    " answered an unauthenticated Allocate without "
                    "asking for credentials: it is not "
                    "configured with use-auth-secret (docs/deploy.md)";
    return result;
  }
  Credentials auth{username, std::string(textOf(*realm)), std::string(textOf(*nonce)), ""};
  auth.key = longTermKey(username, auth.realm, password);

  std::optional<std::vector<uint8_t>> answer;
  // RFC 8489 §9.2.4: 438 Stale Nonce carries a fresh NONCE; try once more with
  // it.
  for (int attempt = 0; attempt < 2; ++attempt) {
    answer = prober.exchange(kAllocate, &auth, std::nullopt, tid);
    if (!answer) {
      result.detail = "no answer from " + where + " to the authenticated Allocate: " + prober.why();
      return result;
    }
    auto m = ice::StunMessage::parse(*answer);
    auto fresh = findAttribute(*answer, ice::attr::kNonce);
    if (m && m->errorCode() && m->errorCode()->code == 438 && fresh) {
      auth.nonce = std::string(textOf(*fresh));
      continue;
    }
    break;
  }
  auto allocated = ice::StunMessage::parse(*answer);
  if (!allocated) {
    result.detail = where + " sent a malformed answer to Allocate";
    return result;
  }
  if (allocated->messageClass() == ice::StunClass::kErrorResponse) {
    auto code = allocated->errorCode() ? allocated->errorCode()->code : 0;
    if (code == 401) {
      result.detail = where +
                      " refused the credentials (401): the secret in --turn-secret-file is "
                      "not the "
                      "TURN server's static-auth-secret, or this host's clock is off";
    } else {
      result.detail = where + " refused the allocation: " + describeError(*allocated);
    }
    return result;
  }
  // RFC 8489 §9.2.4: a client discards a success answer whose integrity does
  // not verify.
  if (!allocated->verifyMessageIntegrity(auth.key)) {
    result.detail = where + " answered Allocate without a valid MESSAGE-INTEGRITY";
    return result;
  }
  if (auto relayed = findAttribute(*answer, kAttrXorRelayedAddress)) {
    result.relayedAddress = xorAddress(*relayed, tid);
  }
  result.ok = true;
  result.detail = where + " allocated a relay" + (result.relayedAddress.empty() ? "" : " at " + result.relayedAddress);
  // Give the relay back now rather than let it hold a port until its lifetime
  // ends.
  auto released = prober.exchange(kRefresh, &auth, 0, tid);
  bool releasedOk = false;
  if (released) {
    auto refresh = ice::StunMessage::parse(*released);
    releasedOk = refresh && refresh->messageClass() == ice::StunClass::kSuccessResponse;
  }
  if (!releasedOk) {
    result.detail += " (releasing it failed; it expires by itself)";
  }
  return result;
}

}  // namespace medrtc::turn
