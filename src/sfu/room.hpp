#pragma once
// A room (mediasoup's Router): its participants, and the fan-out of every producer's
// packets to the consumers of every other participant. Lives on one worker.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "common/result.hpp"
#include "sfu/active_speaker.hpp"
#include "sfu/media_api.hpp"
#include "sfu/participant.hpp"
#include "sfu/room_quality.hpp"
#include "sfu/rtp_parameters.hpp"
#include "sfu/subscriber_capabilities.hpp"

namespace medrtc::sfu {

class Worker;

class Room final : public Participant::Listener {
 public:
  Room(std::string id, Worker& worker);
  ~Room() override;

  const std::string& id() const { return id_; }
  size_t participantCount() const { return participants_.size(); }

  // `decoders`: what the subscriber announced it can receive (none: learnt from its answers).
  Result<Ok, MediaError> addParticipant(const std::string& participantId, ParticipantGrants grants,
                                        std::optional<ReceiveCapabilities> decoders = std::nullopt);
  void removeParticipant(const std::string& participantId);
  // What the control side needs to answer a publisher's offer: its connection's ICE/DTLS
  // parameters and candidates. kForbidden without the publish grant.
  Result<LocalTransportParameters, MediaError> publisherTransport(const std::string& participantId);
  // produce(): the publisher connection's negotiated offer, typed; the control side already
  // wrote the answer.
  Result<Ok, MediaError> publish(const std::string& participantId, const PublishParameters& parameters);
  Result<IceRestart, MediaError> restartIce(const std::string& participantId, const std::string& iceUfrag);
  Result<Ok, MediaError> answerSubscription(const std::string& participantId, uint32_t version,
                                            const SubscribeAnswer& answer);
  // Ticks the participants in tick slot `slot` (Worker::nextTickSlot).
  void onTick(Micros now, unsigned slot);

 private:
  // Participant::Listener
  void onParticipantRtp(Participant& publisher, Producer& producer, size_t layer, rtp::RtpPacketView& packet,
                        Micros now) override;
  void onParticipantFailed(Participant& participant, const std::string& reason) override;

  Participant* find(const std::string& participantId);
  // consume(): a consumer of `producer` for `subscriber` if it can decode the codec.
  void subscribeToProducer(Participant& subscriber, Producer& producer);
  void tellCodecUnsupported(const Participant& subscriber, const std::string& publisherId, const std::string& kind,
                            const RtpCodec& codec);
  // Sends a new subscriber offer now, or marks one needed if an offer is outstanding.
  void renegotiate(Participant& subscriber);
  void sendSubscribeOffer(Participant& subscriber);
  // Active speaker (issue 12 item 7): reads the level of a publisher's audio packet, and
  // tells signaling when the detector names a new speaker.
  void observeAudioLevel(const Participant& publisher, const rtp::RtpPacketView& packet);
  void announceActiveSpeaker(Micros now);
  // Call quality (issue 12 item 6): every 5 s, every participant's figures to signaling.
  void reportQuality(Micros now);

  std::string id_;
  Worker& worker_;
  std::map<std::string, std::unique_ptr<Participant>> participants_;
  std::unordered_map<std::string, unsigned> tickSlots_;
  std::unordered_map<std::string, SubscriberCapabilities> capabilities_;  // by subscriber id
  ActiveSpeakerDetector speakers_;
  RoomQuality quality_;
};

}  // namespace medrtc::sfu
