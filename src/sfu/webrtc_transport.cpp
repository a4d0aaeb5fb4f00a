#include "sfu/webrtc_transport.hpp"
#include "log/log.hpp"

#include <spdlog/spdlog.h>

#include <cstring>

#include "common/random.hpp"
#include "dtls/dtls_error.hpp"
#include "dtls/dtls_transport.hpp"
#include "ice/stun_message.hpp"
#include "rtp/demux.hpp"
#include "rtp/transport_extensions.hpp"
#include "sfu/media_counters.hpp"
#include "sfu/send_priority.hpp"
#include "sfu/transport_host.hpp"

namespace medrtc::sfu {

namespace {

void countSent(size_t wireBytes) {
  MediaCounters& counters = mediaCounters();
  counters.packetsSent.add();
  counters.bytesSent.add(wireBytes);
}

}  // namespace

WebRtcTransport::WebRtcTransport(std::string name, TransportHost& host,
                                 std::shared_ptr<const dtls::DtlsContext> dtlsContext, Listener& listener)
    : name_(std::move(name)),
      host_(host),
      dtlsContext_(std::move(dtlsContext)),
      listener_(listener),
      localUfrag_(randomIceString(8)),
      localPassword_(randomIceString(24)),
      ice_(localUfrag_, localPassword_) {
  // We answer as ICE-lite and always take the DTLS server role (a=setup:passive in our
  // answers, actpass in our offers with the client choosing active): the browser starts
  // the handshake once ICE is up, so we never need to know when that happens.
  dtls_ = std::make_unique<dtls::DtlsTransport>(dtlsContext_, *this);
  host_.registerTransport(localUfrag_, *this);
}

WebRtcTransport::~WebRtcTransport() {
  if (!previousUfrag_.empty()) {
    host_.unregisterUfrag(previousUfrag_, *this);
  }
  host_.unregisterTransport(localUfrag_, *this);
}

void WebRtcTransport::restartIce() {
  // A second restart within the grace: the ufrag before the last one is done for good.
  if (!previousUfrag_.empty()) {
    host_.unregisterUfrag(previousUfrag_, *this);
  }
  previousUfrag_ = localUfrag_;
  localUfrag_ = randomIceString(ice::IceLiteResponder::kUfragLength);
  localPassword_ = randomIceString(ice::IceLiteResponder::kPasswordLength);
  ice_.restart(localUfrag_, localPassword_, host_.now() + host_.transportTimeouts().iceRestartGrace);
  // A check from a new 5-tuple (the client's network changed) finds us by the new ufrag.
  host_.registerTransport(localUfrag_, *this);
  log::debug("transport_ice_restarted", {{"transport", name_}});
}

void WebRtcTransport::setRemoteParameters(const std::string& fingerprintAlgorithm, const std::string& fingerprint) {
  auto result = dtls_->setRemoteFingerprint(fingerprintAlgorithm, fingerprint);
  if (!remoteFingerprintKnown_) {
    // The connect deadline counts from here, the first negotiation, not from creation: a
    // participant may hold a transport unused for long (a P2P call that falls back to the
    // SFU, a subscriber whose first track arrives late) and must then get the full time.
    negotiatedAt_ = host_.now();
  }
  remoteFingerprintKnown_ = true;
  if (!result.ok()) {
    fail(std::string("dtls: ") + std::string(dtls::toString(result.error())));
  }
}

void WebRtcTransport::receiveDatagram(MutableByteView data, const SocketAddress& from) {
  if (failed_ || data.empty()) {
    return;
  }
  uint8_t first = data[0];
  if (first <= 3) {
    receiveStun(data, from);
    return;
  }
  // Past this point the worker only routes datagrams from 5-tuples our ICE agent
  // validated, so these come from the peer that knows our ICE password.
  if (first >= 20 && first <= 63) {
    dtlsPeer_ = from;
    if (dtls_->released()) {
      ++stats_.dtlsAfterRelease;
      mediaCounters().dtlsAfterRelease.add();
    }
    dtls_->receiveDatagram(data);
    return;
  }
  if (first >= 128 && first <= 191) {
    receiveSrtp(data);
    return;
  }
  ++stats_.malformed;
}

void WebRtcTransport::receiveStun(ByteView data, const SocketAddress& from) {
  auto outcome = ice_.handleRequest(data, from, host_.now());
  if (outcome.shouldSend()) {
    host_.sendPacket(*this, outcome.response, from);
  }
  if (outcome.tupleValid) {
    host_.bindTuple(from, *this);
    // The responder picks the latest nominated tuple, or before any nomination the latest
    // valid one (RFC 8445 §8.1.1 leaves nomination to the controlling agent).
    selectedTuple_ = ice_.selectedTuple();
    // RFC 7675 §5.1: consent is per pair; only a check on the selected one refreshes it.
    if (selectedTuple_ == from) {
      lastConsentAt_ = host_.now();
    }
    if (outcome.selectedTupleChanged && connected()) {
      listener_.onTransportPathChanged(*this);
    }
  }
}

void WebRtcTransport::receiveSrtp(MutableByteView data) {
  if (!srtpInbound_) {
    return;  // media before DTLS finished: nothing to decrypt it with
  }
  MediaCounters& counters = mediaCounters();
  counters.packetsReceived.add();
  counters.bytesReceived.add(data.size());
  if (rtp::isRtcp(data)) {
    auto length = srtpInbound_->unprotectRtcp(data.data(), data.size());
    if (!length.ok()) {
      ++stats_.unprotectFailures;
      return;
    }
    releaseDtls();
    ++stats_.rtcpReceived;
    listener_.onTransportRtcp(*this, ByteView(data.data(), *length));
    return;
  }
  auto length = srtpInbound_->unprotectRtp(data.data(), data.size());
  if (!length.ok()) {
    ++stats_.unprotectFailures;
    return;
  }
  releaseDtls();
  auto packet = rtp::RtpPacketView::parse(MutableByteView(data.data(), *length));
  if (!packet.ok()) {
    ++stats_.malformed;
    return;
  }
  ++stats_.rtpReceived;
  listener_.onTransportRtp(*this, *packet);
}

bool WebRtcTransport::sendRtp(ByteView packet, const RtpRewrite& rewrite) {
  if (!connected() || packet.size() < 12) {
    return false;
  }
  auto slot = host_.reservePacket(*this, *selectedTuple_);
  if (packet.size() + srtp::kSrtpMaxRtpTrailer > slot.size()) {
    return false;
  }
  size_t size = packet.size();
  if (transportCcId_ != 0) {
    rtp::TransportExtensions ext{absSendTimeId_, rtp::absSendTimeOf(host_.now().count()), transportCcId_,
                                 sendHistory_->nextSequence()};
    // The new block (at most 12 bytes) may be longer than the publisher's.
    size = rtp::writeWithTransportExtensions(packet, slot.first(slot.size() - srtp::kSrtpMaxRtpTrailer), ext);
    if (size == 0) {
      return false;
    }
  } else {
    std::memcpy(slot.data(), packet.data(), packet.size());
  }
  slot[1] = static_cast<uint8_t>((slot[1] & 0x80) | (rewrite.payloadType & 0x7F));
  writeU16(&slot[2], rewrite.sequenceNumber);
  writeU32(&slot[8], rewrite.ssrc);
  if (rewrite.timestampOffset != 0) {
    writeU32(&slot[4], readU32(&slot[4]) + rewrite.timestampOffset);
  }
  if (rewrite.vp8PictureIdFromEnd != 0 && rewrite.vp8PictureIdFromEnd + 12 <= size) {
    uint8_t* at = &slot[size - rewrite.vp8PictureIdFromEnd];
    if (rewrite.vp8PictureId15Bit) {
      writeU16(at, static_cast<uint16_t>(0x8000 | (rewrite.vp8PictureId & 0x7FFF)));  // M=1
    } else {
      at[0] = static_cast<uint8_t>(rewrite.vp8PictureId & 0x7F);
    }
  }
  if (rewrite.vp8Tl0PicIdxFromEnd != 0 && rewrite.vp8Tl0PicIdxFromEnd + 12 <= size) {
    slot[size - rewrite.vp8Tl0PicIdxFromEnd] = rewrite.vp8Tl0PicIdx;
  }
  auto length = srtpOutbound_->protectRtp(slot.data(), size, slot.size());
  if (!length.ok()) {
    ++stats_.protectFailures;
    return false;  // the reserved slot is reused by the next send
  }
  if (transportCcId_ != 0) {
    if (!sendHistory_->awaitingDeparture()) {
      host_.awaitDeparture(*this);
    }
    sendHistory_->add(host_.now().count(), static_cast<uint32_t>(*length), probeCluster_);
  }
  rtpBytesSent_ += *length;
  host_.commitPacket(*length, sendPriorityOf(rewrite.payloadType));
  ++stats_.rtpSent;
  countSent(*length);
  return true;
}

void WebRtcTransport::setTransportExtensions(int absSendTimeId, int transportCcId) {
  auto valid = [](int id) { return id >= 1 && id <= 14 ? static_cast<uint8_t>(id) : uint8_t{0}; };
  absSendTimeId_ = valid(absSendTimeId);
  transportCcId_ = valid(transportCcId);
  if (transportCcId_ != 0 && !sendHistory_) {
    sendHistory_ = std::make_unique<bwe::SendHistory>();
  }
}

const bwe::SendHistory& WebRtcTransport::sendHistory() const {
  // Never written: zero pages that cost no memory until touched.
  static const bwe::SendHistory kNone;
  return sendHistory_ ? *sendHistory_ : kNone;
}

bool WebRtcTransport::sendRtp(ByteView packet) {
  if (packet.size() < 12) {
    return false;
  }
  return sendRtp(packet, RtpRewrite{readU32(&packet[8]), readU16(&packet[2]), static_cast<uint8_t>(packet[1] & 0x7F)});
}

bool WebRtcTransport::sendRtcp(ByteView compound) {
  if (!connected()) {
    return false;
  }
  auto slot = host_.reservePacket(*this, *selectedTuple_);
  if (compound.size() + srtp::kSrtpMaxRtcpTrailer > slot.size()) {
    return false;
  }
  std::memcpy(slot.data(), compound.data(), compound.size());
  auto length = srtpOutbound_->protectRtcp(slot.data(), compound.size(), slot.size());
  if (!length.ok()) {
    ++stats_.protectFailures;
    return false;
  }
  host_.commitPacket(*length);
  ++stats_.rtcpSent;
  countSent(*length);
  return true;
}

void WebRtcTransport::onTick(Micros now) {
  if (failed_) {
    return;
  }
  if (!previousUfrag_.empty() && !ice_.previousUfrag(now)) {
    host_.unregisterUfrag(previousUfrag_, *this);
    previousUfrag_.clear();
  }
  // DTLS retransmits only while handshaking: as the server we send the last flight, and
  // OpenSSL stops its timer when the handshake ends (a lost last flight is answered when
  // the client's retransmission arrives). Once SRTP is up, asking OpenSSL every tick for
  // every transport only cost CPU (SSL_ctrl showed in the worker's profile).
  if (!srtpOutbound_) {
    if (auto due = dtls_->nextTimeout(now); due && *due <= now) {
      dtls_->handleTimeout(now);
    }
  } else if (now - connectedAt_ >= host_.transportTimeouts().dtlsReleaseGrace) {
    releaseDtls();  // a peer that sends no media (nor RTCP) still had its chance
  }
  const TransportTimeouts& timeouts = host_.transportTimeouts();
  if (selectedTuple_ && now - lastConsentAt_ >= timeouts.consentTimeout) {
    fail("ice consent expired");
    return;
  }
  if (!connected() && remoteFingerprintKnown_ && now - negotiatedAt_ > timeouts.connectTimeout) {
    fail("ice/dtls connect timeout");
  }
}

void WebRtcTransport::onDtlsSend(ByteView datagram) {
  const auto& to = dtlsPeer_ ? dtlsPeer_ : selectedTuple_;
  if (to) {
    host_.sendPacket(*this, datagram, *to);
  }
}

void WebRtcTransport::onDtlsConnected(const dtls::SrtpKeyMaterial& keys) {
  auto inbound = srtp::SrtpSession::create(srtp::SrtpDirection::kInbound, keys.profile, keys.remoteKeySalt);
  auto outbound = srtp::SrtpSession::create(srtp::SrtpDirection::kOutbound, keys.profile, keys.localKeySalt);
  if (!inbound.ok() || !outbound.ok()) {
    fail("srtp session setup failed");
    return;
  }
  srtpInbound_ = std::move(inbound).value();
  srtpOutbound_ = std::move(outbound).value();
  connectedAt_ = host_.now();
  if (!selectedTuple_) {
    selectedTuple_ = dtlsPeer_;
    lastConsentAt_ = host_.now();
  }
  log::debug("transport_connected", {{"transport", name_}});
  listener_.onTransportConnected(*this);
}

void WebRtcTransport::onDtlsFailed(dtls::DtlsError error) {
  fail(std::string("dtls: ") + std::string(dtls::toString(error)));
}

void WebRtcTransport::onDtlsClosed() { fail("dtls closed by peer"); }

void WebRtcTransport::releaseDtls() {
  // The peer's SRTP proves it derived its keys, so it has our last flight (the server's
  // Finished): it will not retransmit its own, and nothing else in DTLS-SRTP needs the
  // association (no data channels here). From now on a browser's close_notify goes unread:
  // a closed peer shows as ICE consent expiry (TransportTimeouts::consentTimeout), or, in
  // a call, as its signalling leave, which comes first.
  if (keepDtls_ || dtls_->released()) {
    return;
  }
  dtls_->releaseHandshakeState();
  host_.onDtlsReleased();
  log::debug("transport_dtls_released", {{"transport", name_}});
}

void WebRtcTransport::fail(const std::string& reason) {
  if (failed_) {
    return;
  }
  failed_ = true;
  listener_.onTransportFailed(*this, reason);
}

}  // namespace medrtc::sfu
