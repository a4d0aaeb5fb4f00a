#pragma once
// One WebRTC transport (RFC 8829 "BUNDLE transport"): ICE-lite + DTLS + SRTP over the
// worker's shared UDP socket. A datagram's walk (RFC 7983 demux on the first byte):
//   0..3     STUN  → IceLiteResponder answers and validates the 5-tuple
//   20..63   DTLS  → DtlsTransport; on handshake end, SRTP sessions from exported keys
//   128..191 SRTP/SRTCP → unprotect in place → Listener (RTP view or RTCP bytes)
#include <memory>
#include <optional>
#include <string>

#include "bwe/send_history.hpp"
#include "common/bytes.hpp"
#include "common/socket_address.hpp"
#include "dtls/dtls_context.hpp"
#include "dtls/dtls_transport.hpp"
#include "ice/ice_lite_responder.hpp"
#include "rtp/rtp_packet_view.hpp"
#include "srtp/srtp_session.hpp"

namespace medrtc::sfu {

class TransportHost;

// Header fields a Consumer rewrites on the copy it sends.
struct RtpRewrite {
  uint32_t ssrc;
  uint16_t sequenceNumber;
  uint8_t payloadType;
  uint32_t timestampOffset = 0;  // added to the RTP timestamp (simulcast layer switches)
  // VP8 payload descriptor numbers to write over the packet's own (simulcast layer
  // switches, LayerForwarder::Vp8Numbering), each at its byte counted back from the
  // packet's end: the payload's place from the end stays put whatever header and RTX
  // prefix the copy gets. 0: leave it.
  size_t vp8PictureIdFromEnd = 0;
  uint16_t vp8PictureId = 0;
  bool vp8PictureId15Bit = true;
  size_t vp8Tl0PicIdxFromEnd = 0;
  uint8_t vp8Tl0PicIdx = 0;
};

class WebRtcTransport final : public dtls::DtlsTransport::Listener {
 public:
  class Listener {
   public:
    virtual ~Listener() = default;
    virtual void onTransportConnected(WebRtcTransport& transport) = 0;
    // Media goes to another 5-tuple now (the peer nominated a new pair: its address
    // changed, or an ICE restart found another path). What was sent meanwhile went to the
    // old one and is lost.
    virtual void onTransportPathChanged(WebRtcTransport& /*transport*/) {}
    virtual void onTransportRtp(WebRtcTransport& transport, rtp::RtpPacketView& packet) = 0;
    virtual void onTransportRtcp(WebRtcTransport& transport, ByteView compound) = 0;
    virtual void onTransportFailed(WebRtcTransport& transport, const std::string& reason) = 0;
  };

  WebRtcTransport(std::string name, TransportHost& host, std::shared_ptr<const dtls::DtlsContext> dtlsContext,
                  Listener& listener);
  ~WebRtcTransport() override;
  WebRtcTransport(const WebRtcTransport&) = delete;
  WebRtcTransport& operator=(const WebRtcTransport&) = delete;

  const std::string& name() const { return name_; }
  const std::string& localUfrag() const { return localUfrag_; }
  const std::string& localPassword() const { return localPassword_; }
  std::string localFingerprint() const { return dtlsContext_->certificate().fingerprintSha256(); }

  // From the remote SDP. May arrive after ICE/DTLS already started (the client's answer
  // races its own connectivity checks); DTLS checks the fingerprint whenever it arrives.
  void setRemoteParameters(const std::string& fingerprintAlgorithm, const std::string& fingerprint);

  // ICE restart (RFC 8445 §9, mediasoup's WebRtcTransport::restartIce): new local ufrag and
  // password for the next description; DTLS and the SRTP sessions stay as they are, so
  // media continues as soon as the peer's checks with the new credentials succeed, on the
  // old 5-tuple or a new one. The old ufrag answers until the peer uses the new one or
  // TransportTimeouts::iceRestartGrace passes.
  void restartIce();

  void receiveDatagram(MutableByteView data, const SocketAddress& from);
  void onTick(Micros now);

  bool connected() const { return srtpOutbound_ != nullptr && selectedTuple_.has_value(); }
  // Copies the plaintext packet into a send slot, rewrites it, protects it in place.
  bool sendRtp(ByteView packet, const RtpRewrite& rewrite);
  bool sendRtp(ByteView packet);
  bool sendRtcp(ByteView compound);

  // Subscriber transports: the ids the subscriber's answer gave abs-send-time and
  // transport-wide-cc (0: not negotiated; valid ids are 1..14, RFC 8285 §4.2). With a
  // transport-cc id, every RTP packet sent gets this hop's own extension block (the
  // publisher's is dropped: its ids mean other things here) and is recorded in
  // sendHistory() for the bandwidth estimator.
  void setTransportExtensions(int absSendTimeId, int transportCcId);
  bool transportCcNegotiated() const { return transportCcId_ != 0; }
  // Empty until transport-cc is negotiated: the history (≈ 24 KiB) is used only by subscriber
  // transports with send-side estimation, so it is allocated then.
  const bwe::SendHistory& sendHistory() const;
  // The host sent what this transport queued (TransportHost::awaitDeparture): their send
  // times in sendHistory() become `at`. Only a transport with transport-cc (hence a
  // history) waits for departures.
  void onDeparted(Micros at) {
    if (sendHistory_) {
      sendHistory_->markDeparted(at.count());
    }
  }
  // While a probe cluster runs, every packet sent (media and padding) is recorded as part
  // of it (-1: none).
  void setProbeCluster(int32_t id) { probeCluster_ = id; }
  // Bytes of RTP sent on the wire (SRTP included), for pacing probe padding.
  uint64_t rtpBytesSent() const { return rtpBytesSent_; }

  // Keeps DTLS for the transport's life instead of releasing it after the handshake
  // (TransportTimeouts::dtlsReleaseGrace): for a peer whose close_notify must end the
  // transport at once (connectivity probes). Call before the handshake ends.
  void keepDtlsAfterHandshake() { keepDtls_ = true; }
  // Whether DTLS's state is gone (dtls::DtlsTransport::releaseHandshakeState): from then
  // on a peer's close shows only as ICE consent expiry.
  bool dtlsReleased() const { return dtls_->released(); }

  struct Stats {
    uint64_t rtpReceived = 0;
    uint64_t rtcpReceived = 0;
    uint64_t rtpSent = 0;
    uint64_t rtcpSent = 0;
    uint64_t unprotectFailures = 0;
    uint64_t protectFailures = 0;
    uint64_t malformed = 0;
    // DTLS datagrams that arrived after DTLS was released, dropped unread.
    uint64_t dtlsAfterRelease = 0;
  };
  const Stats& stats() const { return stats_; }

 private:
  // dtls::DtlsTransport::Listener
  void onDtlsSend(ByteView datagram) override;
  void onDtlsConnected(const dtls::SrtpKeyMaterial& keys) override;
  void onDtlsFailed(dtls::DtlsError error) override;
  void onDtlsClosed() override;
  void onDtlsApplicationData(ByteView data) override {}

  void receiveStun(ByteView data, const SocketAddress& from);
  void receiveSrtp(MutableByteView data);
  void fail(const std::string& reason);
  void releaseDtls();

  std::string name_;
  TransportHost& host_;
  std::shared_ptr<const dtls::DtlsContext> dtlsContext_;
  bool remoteFingerprintKnown_ = false;
  Listener& listener_;
  std::string localUfrag_;
  std::string localPassword_;
  std::string previousUfrag_;  // replaced by restartIce, still routed during the grace
  ice::IceLiteResponder ice_;
  std::unique_ptr<dtls::DtlsTransport> dtls_;
  std::unique_ptr<srtp::SrtpSession> srtpInbound_;
  std::unique_ptr<srtp::SrtpSession> srtpOutbound_;
  std::optional<SocketAddress> selectedTuple_;
  std::optional<SocketAddress> dtlsPeer_;
  Micros negotiatedAt_{0};  // first setRemoteParameters: the connect deadline's start
  Micros lastConsentAt_{0};  // last successful check on the selected tuple
  Micros connectedAt_{0};
  bool keepDtls_ = false;
  bool failed_ = false;
  uint8_t absSendTimeId_ = 0;
  uint8_t transportCcId_ = 0;
  std::unique_ptr<bwe::SendHistory> sendHistory_;  // with transportCcId_ only
  int32_t probeCluster_ = -1;
  uint64_t rtpBytesSent_ = 0;
  Stats stats_;
};

}  // namespace medrtc::sfu
