#include "ice/ice_lite_responder.hpp"

#include <cstring>

#include "common/random.hpp"
#include "ice/stun_message_builder.hpp"

namespace medrtc::ice {
namespace {

// RFC 8489 §14.8 reason phrases.
const char* reasonFor(uint16_t code) {
  switch (code) {
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 487:
      return "Role Conflict";
    default:
      return "Error";
  }
}

}  // namespace

IceLiteResponder::IceLiteResponder(std::string localUfrag, std::string localPassword)
    : current_{std::move(localUfrag), std::move(localPassword), {}} {}

IceLiteResponder IceLiteResponder::withRandomCredentials() {
  return IceLiteResponder(randomIceString(kUfragLength), randomIceString(kPasswordLength));
}

void IceLiteResponder::restart(std::string localUfrag, std::string localPassword, Micros previousValidUntil) {
  previous_ = std::move(current_);
  previousValidUntil_ = previousValidUntil;
  current_ = Credentials{std::move(localUfrag), std::move(localPassword), {}};
}

std::optional<std::string> IceLiteResponder::previousUfrag(Micros now) const {
  if (!previous_ || now >= previousValidUntil_) {
    return std::nullopt;
  }
  return previous_->ufrag;
}

std::optional<std::string_view> IceLiteResponder::localUfragOf(const StunMessage& message) {
  auto username = message.username();
  if (!username) {
    return std::nullopt;
  }
  const size_t colon = username->find(':');
  if (colon == std::string_view::npos) {
    return std::nullopt;
  }
  return username->substr(0, colon);
}

bool IceLiteResponder::usernameMatches(const Credentials& credentials, std::string_view username) {
  // RFC 8445 §7.2.2: USERNAME = "<receiver's ufrag>:<sender's ufrag>".
  const std::string& local = credentials.ufrag;
  if (username.size() <= local.size() || username.substr(0, local.size()) != local || username[local.size()] != ':') {
    return false;
  }
  return credentials.remoteUfrag.empty() || username.substr(local.size() + 1) == credentials.remoteUfrag;
}

const IceLiteResponder::Credentials* IceLiteResponder::credentialsFor(std::string_view username, Micros now) const {
  if (usernameMatches(current_, username)) {
    return &current_;
  }
  if (previous_ && now < previousValidUntil_ && usernameMatches(*previous_, username)) {
    return &*previous_;
  }
  return nullptr;
}

IceLiteResponder::Outcome IceLiteResponder::handleRequest(ByteView datagram, const SocketAddress& from, Micros now) {
  auto message = StunMessage::parse(datagram);
  if (!message.ok()) {
    return respondMalformed(datagram);
  }
  return handleRequest(*message, from, now);
}

IceLiteResponder::Outcome IceLiteResponder::handleRequest(const StunMessage& message, const SocketAddress& from,
                                                          Micros now) {
  // Responses and indications are not ours to answer; a lite agent sends no requests, so
  // there is nothing to match a response against (RFC 8445 §7.3.1.4).
  if (message.messageClass() != StunClass::kRequest) {
    return {};
  }
  // RFC 8445 §7.2.2: checks carry FINGERPRINT. Without a good one this may not be STUN at
  // all (RFC 8489 §7.3), so drop it silently rather than answer.
  if (!message.hasFingerprint() || !message.verifyFingerprint()) {
    return {};
  }
  // RFC 8489 §9.1.3 (short-term credentials): no USERNAME or MI → 400; an unknown
  // USERNAME or a failed MI → 401. Neither answer is integrity-protected: we have no
  // key the peer would share.
  auto username = message.username();
  if (!username || !message.hasMessageIntegrity()) {
    return respondError(message, 400, nullptr);
  }
  const Credentials* credentials = credentialsFor(*username, now);
  if (credentials == nullptr || !message.verifyMessageIntegrity(credentials->password)) {
    return respondError(message, 401, nullptr);
  }
  const std::string& password = credentials->password;
  if (message.method() != StunMethod::kBinding) {
    return respondError(message, 400, &password);
  }
  // RFC 8445 §7.1.1: a check carries PRIORITY (needed for peer-reflexive candidates).
  if (!message.priority()) {
    return respondError(message, 400, &password);
  }
  // RFC 8445 §6.1.1: facing a full agent, the lite agent is controlled. A peer that says
  // it is controlled too has a role conflict it must resolve (RFC 8445 §7.3.1.1); being
  // lite, we cannot switch to controlling, so we always answer 487.
  if (message.iceControlled()) {
    return respondError(message, 487, &password);
  }
  const std::optional<SocketAddress> before = selectedTuple();
  Tuple& tuple = touchTuple(from, now);
  Outcome outcome = respondSuccess(message, from, password);
  // The peer uses the new credentials: it has the restart's description, so the old ones
  // are done (mediasoup's IceServer does the same). After the response: `password` may
  // point into them.
  if (credentials == &current_) {
    previous_.reset();
  }
  outcome.tupleValid = true;
  // RFC 8445 §7.3.1.5: USE-CANDIDATE from the controlling agent nominates the pair.
  if (message.useCandidate() && message.iceControlling()) {
    tuple.nominatedSeq = ++seq_;
    outcome.nominated = true;
  }
  outcome.selectedTupleChanged = selectedTuple() != before;
  return outcome;
}

IceLiteResponder::Tuple& IceLiteResponder::touchTuple(const SocketAddress& from, Micros now) {
  Tuple* victim = nullptr;
  const Tuple* current = selected();
  for (Tuple& t : tuples_) {
    if (t.inUse && t.address == from) {
      t.lastConsent = now;  // RFC 7675 §5.1: a successful check refreshes consent
      return t;
    }
  }
  for (Tuple& t : tuples_) {
    if (!t.inUse) {
      victim = &t;
      break;
    }
    // Full: evict the tuple that went longest without a check, never the selected one.
    if (&t != current && (victim == nullptr || t.lastConsent < victim->lastConsent)) {
      victim = &t;
    }
  }
  *victim = Tuple{from, now, ++seq_, 0, true};
  return *victim;
}

const IceLiteResponder::Tuple* IceLiteResponder::selected() const {
  const Tuple* best = nullptr;
  for (const Tuple& t : tuples_) {
    if (!t.inUse) {
      continue;
    }
    if (best == nullptr || t.nominatedSeq > best->nominatedSeq ||
        (t.nominatedSeq == best->nominatedSeq && t.validSeq > best->validSeq)) {
      best = &t;
    }
  }
  return best;
}

std::optional<SocketAddress> IceLiteResponder::selectedTuple() const {
  const Tuple* t = selected();
  if (t == nullptr) {
    return std::nullopt;
  }
  return t->address;
}

bool IceLiteResponder::isValidTuple(const SocketAddress& address) const {
  for (const Tuple& t : tuples_) {
    if (t.inUse && t.address == address) {
      return true;
    }
  }
  return false;
}

bool IceLiteResponder::consentExpired(Micros now) const {
  const Tuple* t = selected();
  return t != nullptr && now - t->lastConsent >= kConsentTimeout;
}

IceLiteResponder::Outcome IceLiteResponder::respondSuccess(const StunMessage& request, const SocketAddress& from,
                                                           const std::string& password) {
  // RFC 8445 §7.3.1: the success response carries the source as XOR-MAPPED-ADDRESS and is
  // protected with our password; FINGERPRINT per RFC 8445 §7.2.2.
  StunMessageBuilder b(responseBuffer_, StunMethod::kBinding, StunClass::kSuccessResponse, request.transactionId());
  b.addXorMappedAddress(from).addMessageIntegrity(password).addFingerprint();
  Outcome outcome;
  auto bytes = b.finish();
  if (bytes.ok()) {
    outcome.kind = Outcome::Kind::kSuccess;
    outcome.response = *bytes;
  }
  return outcome;
}

IceLiteResponder::Outcome IceLiteResponder::respondError(const StunMessage& request, uint16_t code,
                                                         const std::string* password) {
  StunMessageBuilder b(responseBuffer_, request.method(), StunClass::kErrorResponse, request.transactionId());
  b.addErrorCode(code, reasonFor(code));
  if (password != nullptr) {
    b.addMessageIntegrity(*password);
  }
  b.addFingerprint();
  Outcome outcome;
  outcome.kind = Outcome::Kind::kError;
  outcome.errorCode = code;
  if (auto bytes = b.finish(); bytes.ok()) {
    outcome.response = *bytes;
  }
  return outcome;
}

IceLiteResponder::Outcome IceLiteResponder::respondMalformed(ByteView datagram) {
  // RFC 8489 §6.3.1: a request we cannot parse gets 400, but only when the header proves
  // it is a STUN Binding request whose length matches the datagram; anything else may
  // be another protocol and is dropped.
  if (!looksLikeStun(datagram) || readU16(datagram.data()) != composeMessageType(StunMethod::kBinding, StunClass::kRequest) ||
      kStunHeaderSize + readU16(datagram.data() + 2) != datagram.size()) {
    return {};
  }
  TransactionId tid;
  std::memcpy(tid.data(), datagram.data() + 8, tid.size());
  StunMessageBuilder b(responseBuffer_, StunMethod::kBinding, StunClass::kErrorResponse, tid);
  b.addErrorCode(400, reasonFor(400)).addFingerprint();
  Outcome outcome;
  outcome.kind = Outcome::Kind::kError;
  outcome.errorCode = 400;
  if (auto bytes = b.finish(); bytes.ok()) {
    outcome.response = *bytes;
  }
  return outcome;
}

}  // namespace medrtc::ice
