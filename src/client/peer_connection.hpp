#pragma once
// A synthetic WebRTC peer connection toward a medrtc server (docs/protocol.md "Media
// model"), built only from medrtc's own protocol modules in the client role. One object
// per direction:
//   - publisher:  createPublishOffer() → (server answers) → applyAnswer(); then
//                 sendAudioFrame()/sendVideoFrame() once onConnected fired.
//   - subscriber: answerOffer(serverOffer) → send the returned answer; call answerOffer
//                 again for each re-offer (the transport is kept, new m-lines accepted).
// Either way: ICE as the controlling agent with nomination against the server's ICE-lite
// host candidate, DTLS client once ICE succeeded, SRTP from the exported keys; RTCP
// receiver reports (subscriber) or sender reports (publisher) every rtcpInterval.
//
// Runs on the caller's event loop with its own UDP socket; everything, including
// destruction, must happen on that loop's thread. Several connections (and an SFU
// worker) can share one loop. Listener callbacks must not destroy the connection (post).
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "client/client_error.hpp"
#include "client/client_identity.hpp"
#include "client/client_transport.hpp"
#include "client/local_description.hpp"
#include "client/media_sender.hpp"
#include "client/receive_stats.hpp"
#include "common/result.hpp"
#include "net/event_loop.hpp"

namespace medrtc::client {

struct PeerConnectionConfig {
  // Where our socket binds; unset = 127.0.0.1, ephemeral port.
  std::optional<SocketAddress> bindAddress;
  // Shared certificate and SSL_CTXs; unset = a fresh one for this connection (slow-ish:
  // share one across many connections).
  std::shared_ptr<const ClientIdentity> identity;
  std::string cname;  // RTCP CNAME; random if empty
  Micros rtcpInterval = std::chrono::seconds(1);
  // RFC 4585 §6.3.1: ask for a keyframe (PLI) when a video stream starts without one,
  // at most once per keyframeRequestInterval until one arrives.
  bool requestKeyframeOnStart = true;
  Micros keyframeRequestInterval = std::chrono::milliseconds(500);
  // Answer subscriber offers with their rtx formats (tests: RTX packets are then received
  // as they are, not unwrapped).
  bool acceptRtx = false;
  // Codec names this client cannot decode: subscriber m-lines offering only those are
  // rejected (tests of the SFU's codec intersection).
  std::vector<std::string> noDecoderFor;
  // Time received packets by their kernel arrival (SO_TIMESTAMPNS) instead of by the loop
  // turn that reads them (the loadgen: its own loop's wait is not the server's latency).
  bool kernelArrivalTimes = false;
  // Packet sizes, picture size and caches; SSRCs, PTs, mids and extension ids are filled
  // in from the offer/answer.
  MediaSenderConfig media;
};

struct PublishOptions {
  bool audio = true;
  bool video = true;
  uint32_t audioSsrc = 0;  // 0 = random
  uint32_t videoSsrc = 0;
  std::string streamId;  // msid stream id; random if empty
};

class PeerConnection final : private ClientTransport::Listener {
 public:
  enum class Role { kUnset, kPublisher, kSubscriber };

  struct ConnectedInfo {
    Micros startedAt{0};        // applyAnswer / first answerOffer: ICE began
    Micros iceSucceededAt{0};   // first Binding success response
    Micros dtlsConnectedAt{0};  // handshake done, fingerprint verified, SRTP ready
    srtp::SrtpProfile profile = srtp::SrtpProfile::kAeadAes128Gcm;
  };

  struct ReceivedRtp {
    Micros receivedAt{0};
    MediaKind kind = MediaKind::kUnknown;
    std::optional<Micros> sendTime;  // from the synthetic payload, if it carries one
    bool keyframe = false;           // first packet of a VP8 keyframe
    const StreamStats* stream = nullptr;  // this SSRC's stats, updated with the packet
  };

  // Every callback has a no-op default; override what you need. One listener may serve
  // many connections: each call says which.
  class Listener {
   public:
    virtual ~Listener() = default;
    virtual void onConnected(PeerConnection& pc, const ConnectedInfo& info) {}
    // Decrypted packet; the view is valid only during the call.
    virtual void onRtp(PeerConnection& pc, const rtp::RtpPacketView& packet, const ReceivedRtp& info) {}
    // Decrypted compound RTCP, valid only during the call (already acted upon).
    virtual void onRtcp(PeerConnection& pc, ByteView compound, Micros receivedAt) {}
    virtual void onFailed(PeerConnection& pc, const std::string& reason) {}
  };

  // listener may be null. Error only if the socket cannot be bound.
  static Result<std::unique_ptr<PeerConnection>, ClientError> create(net::EventLoop& loop,
                                                                     PeerConnectionConfig config = {},
                                                                     Listener* listener = nullptr);
  ~PeerConnection() override;
  PeerConnection(const PeerConnection&) = delete;
  PeerConnection& operator=(const PeerConnection&) = delete;

  // Publisher. A second call (renegotiation) returns the same offer with a higher version.
  // Returns "" if this connection already answered an offer (it is a subscriber).
  std::string createPublishOffer(const PublishOptions& options = {});
  // Publisher: the server's answer. The first one starts ICE → DTLS → SRTP.
  Result<Ok, ClientError> applyAnswer(std::string_view answerSdp);
  // Subscriber: answers a server offer (recvonly for every m-line). The first one starts
  // ICE → DTLS → SRTP; later ones keep the transport.
  Result<std::string, ClientError> answerOffer(std::string_view offerSdp);

  // Media on a connected publisher; 0 packets if not connected or the kind is not sent.
  // See synthetic_media.hpp for the payloads and media_sender.hpp for the RTP.
  size_t sendAudioFrame(Micros now);
  size_t sendVideoFrame(Micros now, bool keyframe, size_t frameBytes);

  // RTCP we can send on demand (compound: empty RR first, RFC 3550 §6.1).
  bool requestKeyframe(uint32_t mediaSsrc);  // PLI
  bool sendNack(uint32_t mediaSsrc, std::span<const uint16_t> lostSequenceNumbers);
  // Transport-cc feedback (or any RTCP the caller wrote), after an empty RR.
  bool sendFeedback(ByteView packets);
  // Sends the periodic report now (also runs by itself every rtcpInterval).
  bool sendReport();

  // Stops ICE, DTLS (close_notify) and timers. No callback follows.
  void close();

  Role role() const { return role_; }
  bool connected() const { return transport_->state() == ClientTransport::State::kConnected; }
  ClientTransport::State state() const { return transport_->state(); }
  const SocketAddress& localAddress() const { return transport_->localAddress(); }
  uint32_t audioSsrc() const { return audioSsrc_; }
  uint32_t videoSsrc() const { return videoSsrc_; }
  const std::string& cname() const { return cname_; }
  const ReceiveStats& receiveStats() const { return receiveStats_; }
  // Null until a publisher applied its answer.
  const MediaSender* sender() const { return sender_.get(); }
  const ClientTransport& transport() const { return *transport_; }
  const std::optional<ConnectedInfo>& connectedInfo() const { return connectedInfo_; }

 private:
  PeerConnection(net::EventLoop& loop, PeerConnectionConfig config, Listener* listener);

  // ClientTransport::Listener
  void onTransportConnected() override;
  void onTransportRtp(rtp::RtpPacketView& packet, Micros receivedAt) override;
  void onTransportRtcp(ByteView compound, Micros receivedAt) override;
  void onTransportFailed(const std::string& reason) override;

  LocalIce localIce() const;
  void scheduleReport();
  // Writes SRs for our sending streams or an RR with our report blocks, plus SDES.
  size_t writeReport(MutableByteView out, Micros now);
  uint32_t rtcpSenderSsrc() const;

  net::EventLoop& loop_;
  PeerConnectionConfig config_;
  Listener* listener_;
  std::unique_ptr<ClientTransport> transport_;
  Role role_ = Role::kUnset;
  std::string cname_;
  std::string sessionId_;
  uint64_t sessionVersion_ = 0;
  uint32_t audioSsrc_ = 0;
  uint32_t videoSsrc_ = 0;
  uint32_t receiverSsrc_ = 0;  // RTCP sender SSRC of a subscriber
  std::optional<PublishOptions> published_;
  std::unique_ptr<MediaSender> sender_;
  PayloadTypeTable payloadTypes_{};
  ReceiveStats receiveStats_;
  std::unordered_map<uint32_t, Micros> lastKeyframeRequest_;
  std::optional<ConnectedInfo> connectedInfo_;
  std::optional<net::EventLoop::TimerId> reportTimer_;
  bool closed_ = false;
};

}  // namespace medrtc::client
