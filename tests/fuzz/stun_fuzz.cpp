// libFuzzer target for the STUN parser and the ICE-lite responder: parse, read every
// attribute, verify MESSAGE-INTEGRITY and FINGERPRINT, and feed the responder, which
// must never crash, read out of bounds or emit a response it cannot itself parse.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include "common/socket_address.hpp"
#include "ice/ice_lite_responder.hpp"
#include "ice/stun_message.hpp"

using namespace medrtc;
using namespace medrtc::ice;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  ByteView input(data, size);
  (void)looksLikeStun(input);

  auto parsed = StunMessage::parse(input);
  if (parsed.ok()) {
    const StunMessage& m = *parsed;
    (void)m.method();
    (void)m.messageClass();
    (void)m.transactionId();
    (void)m.attributeCount();
    (void)m.username();
    (void)m.priority();
    (void)m.useCandidate();
    (void)m.iceControlling();
    (void)m.iceControlled();
    if (auto a = m.xorMappedAddress()) {
      (void)a->toString();
    }
    if (auto e = m.errorCode()) {
      if (e->code < 300 || e->code > 699) {
        std::abort();
      }
    }
    (void)m.software();
    (void)m.hasUnknownComprehensionRequired();
    // The RFC 5769 password, so seeds from the corpus get past the HMAC.
    (void)m.verifyMessageIntegrity("VOkJxbRl1RmTxUk/WvJxBt");
    (void)m.verifyFingerprint();
    (void)IceLiteResponder::localUfragOf(m);
  } else {
    (void)toString(parsed.error());
  }

  // One responder per process: tuple state carries across inputs like a long-lived
  // transport that receives garbage.
  static IceLiteResponder responder("evtj", "VOkJxbRl1RmTxUk/WvJxBt");
  static int64_t now = 0;
  now += 1000;
  static const SocketAddress from = *SocketAddress::fromIp("192.0.2.1", 32853);
  auto out = responder.handleRequest(input, from, Micros(now));
  if (out.shouldSend()) {
    auto reply = StunMessage::parse(out.response);
    if (!reply.ok() || !reply->verifyFingerprint()) {
      std::abort();
    }
  }
  (void)responder.selectedTuple();
  (void)responder.consentExpired(Micros(now));
  return 0;
}
