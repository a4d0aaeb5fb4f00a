#include "client/client_transport.hpp"

#include <time.h>

#include <algorithm>
#include <chrono>

#include "common/random.hpp"
#include "dtls/dtls_demux.hpp"
#include "ice/ice_lite_responder.hpp"
#include "ice/stun_message.hpp"
#include "rtp/demux.hpp"

namespace medrtc::client {

namespace {
// Never spin: a due-now timer still waits this long (OpenSSL's DTLS timer already treats
// < 15 ms left as expired).
constexpr Micros kMinTick = std::chrono::milliseconds(1);
}  // namespace

Result<std::unique_ptr<ClientTransport>, int> ClientTransport::create(net::EventLoop& loop,
                                                                      const SocketAddress& bindAddress,
                                                                      std::shared_ptr<const ClientIdentity> identity,
                                                                      Listener& listener) {
  auto socket = net::UdpSocket::bind(bindAddress);
  if (!socket) {
    return medrtc::fail(socket.error());
  }
  return std::unique_ptr<ClientTransport>(
      new ClientTransport(loop, std::move(*socket), std::move(identity), listener));
}

ClientTransport::ClientTransport(net::EventLoop& loop, std::unique_ptr<net::UdpSocket> socket,
                                 std::shared_ptr<const ClientIdentity> identity, Listener& listener)
    : loop_(loop),
      socket_(std::move(socket)),
      identity_(std::move(identity)),
      listener_(listener),
      // RFC 8839 §5.4: ufrag >= 4 and pwd >= 22 ice-chars; same lengths as the server's.
      localUfrag_(randomIceString(ice::IceLiteResponder::kUfragLength)),
      localPassword_(randomIceString(ice::IceLiteResponder::kPasswordLength)),
      checkResponder_(localUfrag_, localPassword_) {
  loop_.addFd(socket_->fd(), EPOLLIN, [this](uint32_t) { onReadable(); });
}

ClientTransport::~ClientTransport() {
  if (timer_) {
    loop_.cancelTimer(*timer_);
  }
  loop_.removeFd(socket_->fd());
}

void ClientTransport::start(const RemoteTransport& remote) {
  if (state_ != State::kNew) {
    return;
  }
  remote_ = remote;
  timing_.startedAt = loop_.now();
  dtls_ = std::make_unique<dtls::DtlsTransport>(identity_->context(remote.localDtlsRole),
                                                 static_cast<dtls::DtlsTransport::Listener&>(*this));
  if (!dtls_->setRemoteFingerprint(remote.fingerprintAlgorithm, remote.fingerprint).ok()) {
    failWith("dtls: unusable remote fingerprint");
    return;
  }
  ice::IceControllingChecker::Config config;
  config.localUfrag = localUfrag_;
  config.remoteUfrag = remote.iceUfrag;
  config.remotePassword = remote.icePassword;
  config.nominate = true;
  // We cannot switch to the controlled role. A full-ICE offerer (Janus's subscriber offer)
  // thinks it is controlling too; RFC 8445 §7.3.1.1 lets the larger tie-breaker keep the
  // role, so we take the largest: the peer switches to controlled instead of answering 487.
  config.tieBreaker = UINT64_MAX;
  config.remoteAddress = remote.candidate;
  checker_ = std::make_unique<ice::IceControllingChecker>(std::move(config));
  state_ = State::kChecking;
  checker_->start(timing_.startedAt);
  tick();
}

void ClientTransport::close() {
  if (state_ == State::kClosed) {
    return;
  }
  if (dtls_ && state_ == State::kConnected) {
    dtls_->close();  // close_notify goes out through onDtlsSend
    socket_->flush();
  }
  state_ = State::kClosed;
  if (timer_) {
    loop_.cancelTimer(*timer_);
    timer_.reset();
  }
}

std::optional<SocketAddress> ClientTransport::mappedAddress() const {
  return checker_ ? checker_->mappedAddress() : std::nullopt;
}

bool ClientTransport::sendRtp(ByteView packet) {
  if (state_ != State::kConnected || !srtpOut_) {
    return false;
  }
  MutableByteView slot = socket_->reserveSend(remote_.candidate);
  if (packet.size() + srtp::kSrtpMaxRtpTrailer > slot.size()) {
    socket_->commitSend(0);
    ++stats_.protectFailures;
    return false;
  }
  std::copy(packet.begin(), packet.end(), slot.begin());
  auto protectedSize = srtpOut_->protectRtp(slot.data(), packet.size(), slot.size());
  if (!protectedSize) {
    socket_->commitSend(0);
    ++stats_.protectFailures;
    return false;
  }
  socket_->commitSend(*protectedSize);
  ++stats_.rtpSent;
  return true;
}

bool ClientTransport::sendRtcp(ByteView compound) {
  if (state_ != State::kConnected || !srtpOut_) {
    return false;
  }
  MutableByteView slot = socket_->reserveSend(remote_.candidate);
  if (compound.size() + srtp::kSrtpMaxRtcpTrailer > slot.size()) {
    socket_->commitSend(0);
    ++stats_.protectFailures;
    return false;
  }
  std::copy(compound.begin(), compound.end(), slot.begin());
  auto protectedSize = srtpOut_->protectRtcp(slot.data(), compound.size(), slot.size());
  if (!protectedSize) {
    socket_->commitSend(0);
    ++stats_.protectFailures;
    return false;
  }
  socket_->commitSend(*protectedSize);
  ++stats_.rtcpSent;
  return true;
}

bool ClientTransport::useKernelArrivalTimes() {
  kernelArrivalTimes_ = socket_->enableReceiveTimestamps();
  return kernelArrivalTimes_;
}

void ClientTransport::onReadable() {
  const Micros now = loop_.now();
  // The kernel stamps CLOCK_REALTIME; the loop's clock is monotonic. A datagram's age
  // (wall now − its stamp, read together with `now`) carries over between the two.
  Micros wallNow{0};
  if (kernelArrivalTimes_) {
    timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    wallNow = std::chrono::duration_cast<Micros>(std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec));
  }
  socket_->receiveAll([&](MutableByteView data, const SocketAddress& from) {
    if (state_ == State::kFailed || state_ == State::kClosed || state_ == State::kNew) {
      return;
    }
    Micros receivedAt = now;
    if (auto stamp = socket_->receiveTimestamp()) {
      const Micros age = wallNow - std::chrono::duration_cast<Micros>(*stamp);
      if (age > Micros(0)) {  // a clock step could make it negative: keep `now` then
        receivedAt = now - age;
      }
    }
    handleDatagram(data, from, receivedAt);
  });
  socket_->flush();
}

void ClientTransport::handleDatagram(MutableByteView data, const SocketAddress& from, Micros now) {
  // The server is ICE-lite with one host candidate: nothing else may talk to us.
  if (from != remote_.candidate) {
    ++stats_.foreignDatagrams;
    return;
  }
  // RFC 7983 §7 demultiplexing by the first byte.
  if (ice::looksLikeStun(data)) {
    // A full-ICE peer (not our lite server) checks the pair too; see check_responder.hpp.
    if (auto message = ice::StunMessage::parse(data); message && message->messageClass() == ice::StunClass::kRequest) {
      if (auto response = checkResponder_.respond(*message, from)) {
        socket_->send(*response, from);
        ++stats_.checksAnswered;
      }
      return;
    }
    const auto event = checker_->handleResponse(data, from, now);
    if (event.kind == ice::IceControllingChecker::Event::Kind::kSucceeded && state_ == State::kChecking) {
      timing_.iceSucceededAt = now;
      state_ = State::kDtlsConnecting;
      dtls_->start();
    } else if (event.kind == ice::IceControllingChecker::Event::Kind::kErrorResponse) {
      failWith("ice: error response " + std::to_string(event.errorCode));
      return;
    }
    scheduleTick();
    return;
  }
  if (dtls::looksLikeDtls(data)) {
    dtls_->receiveDatagram(data);
    scheduleTick();
    return;
  }
  if (rtp::looksLikeRtpOrRtcp(data)) {
    handleSrtp(data, now);
    return;
  }
  ++stats_.malformed;
}

void ClientTransport::handleSrtp(MutableByteView data, Micros now) {
  if (!srtpIn_) {
    return;  // SRTP before our DTLS finished: undecryptable yet, like a lost packet
  }
  if (rtp::isRtcp(data)) {
    auto size = srtpIn_->unprotectRtcp(data.data(), data.size());
    if (!size) {
      ++stats_.unprotectFailures;
      return;
    }
    ++stats_.rtcpReceived;
    listener_.onTransportRtcp(ByteView(data.data(), *size), now);
    return;
  }
  auto size = srtpIn_->unprotectRtp(data.data(), data.size());
  if (!size) {
    ++stats_.unprotectFailures;
    return;
  }
  auto packet = rtp::RtpPacketView::parse(data.first(*size));
  if (!packet) {
    ++stats_.malformed;
    return;
  }
  ++stats_.rtpReceived;
  listener_.onTransportRtp(*packet, now);
}

void ClientTransport::tick() {
  if (state_ == State::kFailed || state_ == State::kClosed || state_ == State::kNew) {
    return;
  }
  const Micros now = loop_.now();
  ice::IceControllingChecker::Event event;
  if (auto request = checker_->poll(now, &event)) {
    socket_->send(*request, remote_.candidate);
    ++stats_.stunSent;
  }
  if (event.kind == ice::IceControllingChecker::Event::Kind::kTimedOut) {
    // Before success: the check failed (RFC 8445 §7.2.5.2); after: consent lost (RFC 7675 §5.1).
    failWith(state_ == State::kChecking ? "ice: connectivity check timed out" : "ice: consent lost");
    return;
  }
  if (dtls_ && state_ != State::kChecking) {
    if (auto due = dtls_->nextTimeout(now); due && *due <= now) {
      dtls_->handleTimeout(now);
    }
  }
  if (state_ == State::kFailed || state_ == State::kClosed) {
    return;
  }
  socket_->flush();
  scheduleTick();
}

void ClientTransport::scheduleTick() {
  if (state_ == State::kFailed || state_ == State::kClosed || state_ == State::kNew) {
    return;
  }
  const Micros now = loop_.now();
  std::optional<Micros> next = checker_->nextWakeup();
  if (dtls_ && state_ == State::kDtlsConnecting) {
    if (auto due = dtls_->nextTimeout(now)) {
      next = next ? std::min(*next, *due) : *due;
    }
  }
  if (!next) {
    return;
  }
  const Micros at = std::max(*next, now + kMinTick);
  if (timer_) {
    if (timerAt_ <= at) {
      return;  // the armed timer comes first; it reschedules
    }
    loop_.cancelTimer(*timer_);
  }
  timerAt_ = at;
  timer_ = loop_.runAfter(at - now, [this] {
    timer_.reset();
    tick();
  });
}

void ClientTransport::onDtlsSend(ByteView datagram) { socket_->send(datagram, remote_.candidate); }

void ClientTransport::onDtlsConnected(const dtls::SrtpKeyMaterial& keys) {
  auto in = srtp::SrtpSession::create(srtp::SrtpDirection::kInbound, keys.profile, keys.remoteKeySalt);
  auto out = srtp::SrtpSession::create(srtp::SrtpDirection::kOutbound, keys.profile, keys.localKeySalt);
  if (!in || !out) {
    failWith("srtp: session setup failed");
    return;
  }
  srtpIn_ = std::move(*in);
  srtpOut_ = std::move(*out);
  profile_ = keys.profile;
  timing_.dtlsConnectedAt = loop_.now();
  state_ = State::kConnected;
  listener_.onTransportConnected();
}

void ClientTransport::onDtlsFailed(dtls::DtlsError error) { failWith("dtls: " + std::string(dtls::toString(error))); }

void ClientTransport::onDtlsClosed() { failWith("dtls: peer closed"); }

void ClientTransport::failWith(const std::string& reason) {
  if (state_ == State::kFailed || state_ == State::kClosed) {
    return;
  }
  state_ = State::kFailed;
  if (timer_) {
    loop_.cancelTimer(*timer_);
    timer_.reset();
  }
  socket_->flush();
  listener_.onTransportFailed(reason);
}

}  // namespace medrtc::client
