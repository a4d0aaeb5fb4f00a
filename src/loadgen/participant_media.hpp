#pragma once
// The media half of one synthetic participant: a publisher PeerConnection that sends
// Opus + VP8 (client::SyntheticPublisher) once connected, and a subscriber PeerConnection
// that receives the other participant. Target-neutral: the signaling half
// (MedrtcSignaling, JanusSignaling) carries the SDP to and from the server.
//
// Belongs to one media event loop: every member function runs on that loop's thread,
// including destruction. Only receivingSince()/failed() may be read from other threads.
#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "client/peer_connection.hpp"
#include "client/synthetic_publisher.hpp"
#include "common/result.hpp"
#include "loadgen/load_result.hpp"
#include "net/event_loop.hpp"

namespace medrtc::loadgen {

struct MediaSettings {
  SocketAddress bindAddress;
  std::shared_ptr<const client::ClientIdentity> identity;
  client::SyntheticPublisherConfig publisher;
  size_t maxRtpPayload = 1100;
  bool kernelArrivalTimes = true;  // see LoadgenConfig::loopReceiveTimes
  std::vector<std::string> videoRids;  // simulcast layers to publish; empty: one stream
};

class ParticipantMedia final : private client::PeerConnection::Listener {
 public:
  // Error: why the sockets could not be bound.
  static Result<std::unique_ptr<ParticipantMedia>, std::string> create(net::EventLoop& loop,
                                                                       const MediaSettings& settings);
  ~ParticipantMedia() override;

  // Publisher: our offer; then the server's answer starts ICE → DTLS → media.
  std::string createPublishOffer();
  Result<Ok, std::string> applyPublishAnswer(std::string_view sdp);
  // Subscriber: our answer to the server's (re-)offer.
  Result<std::string, std::string> answerSubscribeOffer(std::string_view sdp);

  void stopSending();
  void close();

  // Thread-safe: 0 until the first remote RTP packet arrived, then its loop time in µs.
  int64_t receivingSince() const { return firstRemoteRtpAt_.load(std::memory_order_relaxed); }
  bool failed() const { return failed_.load(std::memory_order_relaxed); }

  // The counters so far. `end` closes the last gap (the time sending stopped).
  ParticipantResult snapshot(Micros end) const;

 private:
  ParticipantMedia(net::EventLoop& loop, const MediaSettings& settings);

  void onConnected(client::PeerConnection& pc, const client::PeerConnection::ConnectedInfo& info) override;
  void onRtp(client::PeerConnection& pc, const rtp::RtpPacketView& packet,
             const client::PeerConnection::ReceivedRtp& info) override;
  void onFailed(client::PeerConnection& pc, const std::string& reason) override;

  net::EventLoop& loop_;
  MediaSettings settings_;
  std::unique_ptr<client::PeerConnection> publisher_;
  std::unique_ptr<client::PeerConnection> subscriber_;
  std::unique_ptr<client::SyntheticPublisher> pacer_;
  std::string failure_;
  Micros lastRtpAt_{0};
  Micros maxGap_{0};
  std::atomic<int64_t> firstRemoteRtpAt_{0};
  std::atomic<bool> failed_{false};
};

}  // namespace medrtc::loadgen
