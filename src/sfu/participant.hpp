#pragma once
// A participant's media: a publisher transport carrying its producers and a subscriber
// transport carrying its consumers (docs/protocol.md "two peer connections"), plus the
// subscriber connection's offer/answer state.
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "common/result.hpp"
#include "rtp/rtcp_packet.hpp"
#include "sfu/consumer.hpp"
#include "sfu/downlink_bandwidth.hpp"
#include "sfu/media_api.hpp"
#include "sfu/producer.hpp"
#include "sfu/receiver_report_stats.hpp"
#include "sfu/rtcp_scheduler.hpp"
#include "sfu/webrtc_transport.hpp"

namespace medrtc::sfu {

class TransportHost;

class Participant final : public WebRtcTransport::Listener {
 public:
  class Listener {
   public:
    virtual ~Listener() = default;
    // A packet of `producer`'s layer `layer` (0 without simulcast), arrived at `now`.
    virtual void onParticipantRtp(Participant& publisher, Producer& producer, size_t layer, rtp::RtpPacketView& packet,
                                  Micros now) = 0;
    virtual void onParticipantFailed(Participant& participant, const std::string& reason) = 0;
  };

  Participant(std::string id, ParticipantGrants grants, TransportHost& host,
              std::shared_ptr<const dtls::DtlsContext> dtlsContext, Listener& listener);
  ~Participant() override;

  const std::string& id() const { return id_; }
  const ParticipantGrants& grants() const { return grants_; }
  WebRtcTransport& publisherTransport() { return *publisher_; }
  WebRtcTransport& subscriberTransport() { return *subscriber_; }

  // Producers, by mid. Replaces the set with the tracks of a (re)negotiated offer.
  Producer* findProducerByMid(const std::string& mid);
  Producer& addProducer(ProducerParameters parameters);
  void removeProducersExcept(const std::vector<std::string>& keepMids);
  // In mid order. Kept as a list (rebuilt when producers change) because the RTCP tick
  // walks it for every participant 50 times a second.
  const std::vector<Producer*>& producers() const { return producerList_; }
  void setPublisherExtensionIds(int midId, int transportCcId) {
    midExtensionId_ = midId;
    transportCcExtensionId_ = transportCcId;
  }

  // RFC 8852 rtp-stream-id and repaired-rtp-stream-id extension ids (0: not negotiated).
  void setPublisherRidExtensionIds(int ridId, int repairedRidId) {
    ridExtensionId_ = ridId;
    repairedRidExtensionId_ = repairedRidId;
  }

  // Consumers in m-line order; mids are "0", "1", … and never reused (JSEP §5.2.2).
  Consumer& addConsumer(Producer& producer);
  const std::vector<std::unique_ptr<Consumer>>& consumers() const { return consumers_; }

  // Subscriber negotiation: one offer outstanding at a time.
  struct SubscribeState {
    uint32_t version = 0;
    bool outstanding = false;
    bool renegotiationNeeded = false;
    size_t consumersInOffer = 0;
  };
  SubscribeState& subscribeState() { return subscribeState_; }

  void onTick(Micros now);

  // What this participant's receiver reports said about the media sent to it, for the
  // room's quality report (sfu/room_quality.hpp).
  ReceiverReportStats& downlinkReports() { return downlinkReports_; }
  // The send-side estimate of its downlink in bit/s (0: no transport-cc feedback yet).
  uint64_t estimatedBandwidthBps() const { return downlink_.estimateBps(); }
  const DownlinkBandwidth& downlinkBandwidth() const { return downlink_; }

 private:
  // WebRtcTransport::Listener
  void onTransportConnected(WebRtcTransport& transport) override;
  void onTransportPathChanged(WebRtcTransport& transport) override;
  void onTransportRtp(WebRtcTransport& transport, rtp::RtpPacketView& packet) override;
  void onTransportRtcp(WebRtcTransport& transport, ByteView compound) override;
  void onTransportFailed(WebRtcTransport& transport, const std::string& reason) override;

  Producer* producerForPacket(const rtp::RtpPacketView& packet);
  // RFC 8852 §3: binds a new SSRC to a simulcast layer by its RID; false when it names none.
  bool bindSimulcastSsrc(Producer& producer, const rtp::RtpPacketView& packet);
  // The compound's packets up to the first malformed one; a dropped rest is counted
  // (medrtc_media_rtcp_tails_dropped_total).
  static Result<rtp::RtcpCompoundView, rtp::RtcpError> readCompound(ByteView compound);
  void handleSubscriberRtcp(ByteView compound);
  void handlePublisherRtcp(ByteView compound);
  // RFC 3550 §6.4.1 round-trip times from a subscriber's receiver report, for /metrics;
  // each block's fraction lost also goes to its consumer's layer selector.
  void countRoundTrips(const rtp::RtcpPacketView& packet);
  Consumer* findConsumerBySsrc(uint32_t ssrc);
  void rebuildProducerList();

  std::string id_;
  ParticipantGrants grants_;
  TransportHost& host_;
  Listener& listener_;
  std::unique_ptr<WebRtcTransport> publisher_;
  std::unique_ptr<WebRtcTransport> subscriber_;

  std::map<std::string, std::unique_ptr<Producer>> producersByMid_;
  std::vector<Producer*> producerList_;
  std::unordered_map<uint32_t, Producer*> producersBySsrc_;
  int midExtensionId_ = 0;
  int transportCcExtensionId_ = 0;
  int ridExtensionId_ = 0;
  int repairedRidExtensionId_ = 0;

  std::vector<std::unique_ptr<Consumer>> consumers_;
  std::unordered_map<uint32_t, Consumer*> consumersBySsrc_;
  SubscribeState subscribeState_;
  RtcpScheduler rtcp_;
  ReceiverReportStats downlinkReports_;
  DownlinkBandwidth downlink_;
  bool failed_ = false;  // reported to the listener already
};

}  // namespace medrtc::sfu
