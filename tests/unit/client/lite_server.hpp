#pragma once
// A minimal stand-in for the SFU's WebRtcTransport, made of the server-side protocol
// pieces (IceLiteResponder, DtlsTransport in the server role, SrtpSession) on its own UDP
// socket, so client tests exercise the real handshake over loopback without the SFU.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "dtls/certificate.hpp"
#include "dtls/dtls_context.hpp"
#include "dtls/dtls_demux.hpp"
#include "dtls/dtls_transport.hpp"
#include "ice/ice_lite_responder.hpp"
#include "ice/stun_message.hpp"
#include "net/event_loop.hpp"
#include "net/udp_socket.hpp"
#include "rtp/demux.hpp"
#include "rtp/rtp_packet_view.hpp"
#include "sdp/local_transport.hpp"
#include "sdp/parse.hpp"
#include "sdp/publish_answer.hpp"
#include "sdp/serialize.hpp"
#include "sdp/server_capabilities.hpp"
#include "sdp/subscriber_offer.hpp"
#include "srtp/srtp_session.hpp"

namespace medrtc::client::test {

class LiteServer final : public dtls::DtlsTransport::Listener {
 public:
  struct Received {
    std::vector<uint8_t> bytes;  // decrypted
    Micros at;
  };

  explicit LiteServer(net::EventLoop& loop)
      : loop_(loop),
        socket_(net::UdpSocket::bind(*SocketAddress::fromIp("127.0.0.1", 0)).value()),
        ice_(ice::IceLiteResponder::withRandomCredentials()),
        certificate_(dtls::Certificate::generate()),
        dtls_(std::make_unique<dtls::DtlsTransport>(
            dtls::DtlsContext::create(certificate_, dtls::DtlsRole::kServer), *this)) {
    loop_.addFd(socket_->fd(), EPOLLIN, [this](uint32_t) { onReadable(); });
  }
  ~LiteServer() override { loop_.removeFd(socket_->fd()); }

  sdp::LocalTransport local() const {
    return sdp::LocalTransport{ice_.localUfrag(), ice_.localPassword(), certificate_->fingerprintSha256(),
                               {"127.0.0.1"}, socket_->localAddress().port()};
  }

  // Publisher direction: the server's answer to the client's offer.
  std::string answerPublish(const std::string& offerSdp) {
    auto offer = sdp::parse(offerSdp);
    EXPECT_TRUE(offer.ok());
    auto answer = sdp::answerPublishOffer(*offer, local(), sdp::ServerCapabilities::defaults());
    EXPECT_TRUE(answer.ok()) << (answer.ok() ? "" : std::string(sdp::toString(answer.error())));
    if (!answer.ok()) {
      return {};
    }
    publishAnswer = *answer;
    ice_.setRemoteUfrag(answer->remoteIceUfrag);
    EXPECT_TRUE(dtls_->setRemoteFingerprint(answer->remoteFingerprint.algorithm, answer->remoteFingerprint.value).ok());
    return sdp::serialize(answer->answer);
  }

  // Subscriber direction: our offer, then the client's answer.
  std::string offerSubscribe(const std::vector<sdp::OutgoingTrack>& tracks, uint64_t version) {
    return sdp::serialize(sdp::buildSubscriberOffer(tracks, local(), version));
  }
  void readSubscribeAnswer(const std::string& answerSdp) {
    auto answer = sdp::parse(answerSdp);
    ASSERT_TRUE(answer.ok());
    auto info = sdp::readSubscriberAnswer(*answer);
    ASSERT_TRUE(info.ok()) << sdp::toString(info.error());
    subscriberAnswer = *info;
    ice_.setRemoteUfrag(info->remoteIceUfrag);
    ASSERT_TRUE(dtls_->setRemoteFingerprint(info->remoteFingerprint.algorithm, info->remoteFingerprint.value).ok());
  }

  bool connected() const { return srtpOut_ != nullptr && ice_.selectedTuple().has_value(); }

  bool sendRtp(ByteView packet) { return protectAndSend(packet, false); }
  bool sendRtcp(ByteView compound) { return protectAndSend(compound, true); }

  std::vector<Received> rtp;
  std::vector<Received> rtcp;
  std::optional<sdp::PublishAnswer> publishAnswer;
  std::optional<sdp::SubscriberAnswerInfo> subscriberAnswer;
  std::optional<dtls::DtlsError> dtlsFailure;
  bool nominated = false;
  size_t unprotectFailures = 0;
  // Simulated loss: called with the 0-based index of each arriving SRTP (not SRTCP)
  // datagram; true drops it before decryption, as the network would have.
  std::function<bool(size_t index)> dropIncomingRtp;
  size_t incomingRtpDatagrams = 0;

  // dtls::DtlsTransport::Listener
  void onDtlsSend(ByteView datagram) override {
    if (auto to = ice_.selectedTuple()) {
      socket_->send(datagram, *to);
    }
  }
  void onDtlsConnected(const dtls::SrtpKeyMaterial& keys) override {
    srtpIn_ = srtp::SrtpSession::create(srtp::SrtpDirection::kInbound, keys.profile, keys.remoteKeySalt).value();
    srtpOut_ = srtp::SrtpSession::create(srtp::SrtpDirection::kOutbound, keys.profile, keys.localKeySalt).value();
  }
  void onDtlsFailed(dtls::DtlsError error) override { dtlsFailure = error; }
  void onDtlsClosed() override {}
  void onDtlsApplicationData(ByteView) override {}

 private:
  bool protectAndSend(ByteView data, bool rtcp) {
    auto to = ice_.selectedTuple();
    if (!srtpOut_ || !to) {
      return false;
    }
    MutableByteView slot = socket_->reserveSend(*to);
    std::copy(data.begin(), data.end(), slot.begin());
    auto size = rtcp ? srtpOut_->protectRtcp(slot.data(), data.size(), slot.size())
                     : srtpOut_->protectRtp(slot.data(), data.size(), slot.size());
    if (!size) {
      socket_->commitSend(0);
      return false;
    }
    socket_->commitSend(*size);
    socket_->flush();
    return true;
  }

  void onReadable() {
    const Micros now = loop_.now();
    socket_->receiveAll([&](MutableByteView data, const SocketAddress& from) {
      if (ice::looksLikeStun(data)) {
        auto outcome = ice_.handleRequest(data, from, now);
        nominated = nominated || outcome.nominated;
        if (outcome.shouldSend()) {
          socket_->send(outcome.response, from);
        }
        return;
      }
      if (!ice_.isValidTuple(from)) {
        return;  // RFC 8445 §7.3: only a checked 5-tuple may carry DTLS and media
      }
      if (dtls::looksLikeDtls(data)) {
        dtls_->receiveDatagram(data);
        return;
      }
      if (rtp::looksLikeRtpOrRtcp(data) && srtpIn_) {
        const bool isRtcp = rtp::isRtcp(data);
        if (!isRtcp && dropIncomingRtp && dropIncomingRtp(incomingRtpDatagrams++)) {
          return;
        }
        auto size = isRtcp ? srtpIn_->unprotectRtcp(data.data(), data.size())
                           : srtpIn_->unprotectRtp(data.data(), data.size());
        if (!size) {
          ++unprotectFailures;
          return;
        }
        (isRtcp ? rtcp : rtp).push_back(Received{std::vector<uint8_t>(data.begin(), data.begin() + *size), now});
      }
    });
    socket_->flush();
  }

  net::EventLoop& loop_;
  std::unique_ptr<net::UdpSocket> socket_;
  ice::IceLiteResponder ice_;
  std::shared_ptr<dtls::Certificate> certificate_;
  std::unique_ptr<dtls::DtlsTransport> dtls_;
  std::unique_ptr<srtp::SrtpSession> srtpIn_;
  std::unique_ptr<srtp::SrtpSession> srtpOut_;
};

}  // namespace medrtc::client::test
