#include "ice/ice_controlling_checker.hpp"

#include <algorithm>

#include "common/random.hpp"
#include "ice/stun_message.hpp"
#include "ice/stun_message_builder.hpp"

namespace medrtc::ice {

IceControllingChecker::IceControllingChecker(Config config) : config_(std::move(config)) {
  if (config_.tieBreaker == 0) {
    config_.tieBreaker = randomU64();
  }
}

void IceControllingChecker::start(Micros now) {
  state_ = State::kChecking;
  mapped_.reset();
  beginTransaction(now);
}

void IceControllingChecker::beginTransaction(Micros now) {
  // RFC 8489 §6: a new transaction id per transaction, reused by its retransmissions.
  fillRandom(transactionId_);
  outstanding_ = true;
  transmissions_ = 0;
  rto_ = config_.initialRto;
  nextSend_ = now;
  requestSize_ = 0;
}

ByteView IceControllingChecker::buildRequest() {
  // RFC 8445 §7.2.2: USERNAME "<remote ufrag>:<local ufrag>", PRIORITY, ICE-CONTROLLING,
  // USE-CANDIDATE when nominating, MESSAGE-INTEGRITY with the remote password, FINGERPRINT.
  StunMessageBuilder b(requestBuffer_, StunMethod::kBinding, StunClass::kRequest, transactionId_);
  b.addUsername(config_.remoteUfrag + ":" + config_.localUfrag)
      .addPriority(config_.priority)
      .addIceControlling(config_.tieBreaker);
  if (config_.nominate) {
    b.addUseCandidate();
  }
  b.addMessageIntegrity(config_.remotePassword).addFingerprint();
  auto bytes = b.finish();
  requestSize_ = bytes.ok() ? bytes->size() : 0;
  return ByteView(requestBuffer_.data(), requestSize_);
}

Micros IceControllingChecker::consentDelay() const {
  // RFC 7675 §5.1: uniformly in [0.8, 1.2] × interval, so checks from many flows spread.
  const auto base = config_.consentInterval.count();
  const auto jitter = static_cast<int64_t>(randomU32() % 401) - 200;  // per mille
  return Micros(base + base * jitter / 1000);
}

std::optional<ByteView> IceControllingChecker::poll(Micros now, Event* event) {
  if (event != nullptr) {
    *event = {};
  }
  if (state_ == State::kIdle || state_ == State::kFailed) {
    return std::nullopt;
  }
  if (!outstanding_) {
    if (state_ == State::kSucceeded && now >= nextConsent_) {
      beginTransaction(now);
    } else {
      return std::nullopt;
    }
  }
  if (transmissions_ >= config_.maxTransmissions) {
    if (now >= giveUpAt_) {
      // RFC 8489 §6.2.1: no response after Rc transmissions and the final wait: failed.
      // For a consent check this also means the pair lost consent.
      outstanding_ = false;
      state_ = State::kFailed;
      if (event != nullptr) {
        event->kind = Event::Kind::kTimedOut;
      }
    }
    return std::nullopt;
  }
  // RFC 8445 §14.2: at most one transmission per Ta.
  if (now < nextSend_ || now - lastSentAt_ < config_.ta) {
    return std::nullopt;
  }
  ByteView request = transmissions_ == 0 || requestSize_ == 0 ? buildRequest()
                                                              : ByteView(requestBuffer_.data(), requestSize_);
  ++transmissions_;
  lastSentAt_ = now;
  if (transmissions_ >= config_.maxTransmissions) {
    giveUpAt_ = now + rto_ * config_.lastWaitFactor;
  } else {
    nextSend_ = now + rto_;
    rto_ *= 2;
  }
  return request;
}

std::optional<Micros> IceControllingChecker::nextWakeup() const {
  if (state_ == State::kIdle || state_ == State::kFailed) {
    return std::nullopt;
  }
  if (!outstanding_) {
    return nextConsent_;
  }
  if (transmissions_ >= config_.maxTransmissions) {
    return giveUpAt_;
  }
  return std::max(nextSend_, lastSentAt_ + config_.ta);
}

IceControllingChecker::Event IceControllingChecker::handleResponse(ByteView datagram, const SocketAddress& from,
                                                                   Micros now) {
  Event event;
  if (!outstanding_) {
    return event;
  }
  auto message = StunMessage::parse(datagram);
  if (!message.ok() || message->method() != StunMethod::kBinding || message->transactionId() != transactionId_) {
    return event;
  }
  // RFC 8445 §7.2.5.2.1: the response must come from where the request was sent.
  if (config_.remoteAddress && from != *config_.remoteAddress) {
    return event;
  }
  // RFC 8445 §7.2.5.1 / RFC 8489 §9.1.4: a response that fails integrity is discarded
  // as if never received; the transaction goes on.
  if (!message->hasFingerprint() || !message->verifyFingerprint()) {
    return event;
  }
  if (!message->verifyMessageIntegrity(config_.remotePassword)) {
    if (message->messageClass() == StunClass::kErrorResponse && message->errorCode()) {
      event.kind = Event::Kind::kUnverifiedError;
      event.errorCode = message->errorCode()->code;
    }
    return event;
  }
  if (message->messageClass() == StunClass::kSuccessResponse) {
    auto mapped = message->xorMappedAddress();
    if (!mapped) {
      return event;
    }
    outstanding_ = false;
    state_ = State::kSucceeded;
    mapped_ = mapped;
    lastSuccess_ = now;
    nextConsent_ = now + consentDelay();
    event.kind = Event::Kind::kSucceeded;
    event.mappedAddress = mapped;
    return event;
  }
  if (message->messageClass() == StunClass::kErrorResponse) {
    // Authenticated error (e.g. 487 Role Conflict): the check failed for good.
    outstanding_ = false;
    state_ = State::kFailed;
    event.kind = Event::Kind::kErrorResponse;
    event.errorCode = message->errorCode() ? message->errorCode()->code : 0;
  }
  return event;
}

}  // namespace medrtc::ice
