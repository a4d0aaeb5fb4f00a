#include "sfu/room.hpp"
#include "log/log.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "sfu/forward_tap.hpp"
#include "sfu/worker.hpp"

namespace medrtc::sfu {

namespace {

// The codec a producer's consumers send (what subscribers are offered), or nullptr.
const RtpCodec* forwardedCodecOf(const Producer& producer) {
  for (const RtpCodec& codec : producer.forwardedCodecs()) {
    if (!codec.rtxFor) {
      return &codec;
    }
  }
  return nullptr;
}

LocalTransportParameters localTransportOf(WebRtcTransport& transport, const Worker& worker) {
  LocalTransportParameters local;
  local.iceUfrag = transport.localUfrag();
  local.icePwd = transport.localPassword();
  local.fingerprintSha256 = transport.localFingerprint();
  local.candidateIps = worker.announcedIps();
  local.candidatePort = worker.port();
  local.tcpCandidates = worker.acceptsTcp();
  return local;
}

}  // namespace

Room::Room(std::string id, Worker& worker) : id_(std::move(id)), worker_(worker) {}

Room::~Room() {
  // Subscribers' consumers point at other participants' producers: drop every consumer
  // before any producer goes.
  participants_.clear();
}

Participant* Room::find(const std::string& participantId) {
  auto it = participants_.find(participantId);
  return it == participants_.end() ? nullptr : it->second.get();
}

Result<Ok, MediaError> Room::addParticipant(const std::string& participantId, ParticipantGrants grants,
                                            std::optional<ReceiveCapabilities> decoders) {
  if (find(participantId)) {
    // A reconnect of the same participant id: start it afresh.
    removeParticipant(participantId);
  }
  // Before its consumers are made: a track it cannot decode gets none (subscribeToProducer).
  capabilities_.insert_or_assign(participantId, SubscriberCapabilities(std::move(decoders)));
  auto participant = std::make_unique<Participant>(participantId, grants, worker_, worker_.dtlsContext(), *this);
  Participant& added = *participant;
  participants_.emplace(participantId, std::move(participant));
  tickSlots_[participantId] = worker_.nextTickSlot();
  if (grants.subscribe) {
    for (auto& [otherId, other] : participants_) {
      if (other.get() == &added) {
        continue;
      }
      for (Producer* producer : other->producers()) {
        subscribeToProducer(added, *producer);
      }
    }
    renegotiate(added);
  }
  log::info("media_participant_added", {{"room", id_}, {"participant", participantId}, {"worker", worker_.index()}});
  return Ok{};
}

void Room::removeParticipant(const std::string& participantId) {
  auto it = participants_.find(participantId);
  if (it == participants_.end()) {
    return;
  }
  auto leaving = std::move(it->second);
  tickSlots_.erase(participantId);  // before the erase: participantId may be the map's own key
  capabilities_.erase(participantId);
  speakers_.remove(participantId);
  quality_.forget(participantId);
  participants_.erase(it);
  bool hadProducers = !leaving->producers().empty();
  leaving.reset();  // its producers close: consumers elsewhere become inactive
  if (hadProducers) {
    for (auto& [id, other] : participants_) {
      renegotiate(*other);
    }
  }
  log::info("media_participant_removed", {{"room", id_}, {"participant", participantId}});
}

Result<LocalTransportParameters, MediaError> Room::publisherTransport(const std::string& participantId) {
  Participant* publisher = find(participantId);
  if (!publisher) {
    return fail(MediaError::kParticipantNotFound);
  }
  if (!publisher->grants().publish) {
    return fail(MediaError::kForbidden);
  }
  return localTransportOf(publisher->publisherTransport(), worker_);
}

Result<Ok, MediaError> Room::publish(const std::string& participantId, const PublishParameters& parameters) {
  Participant* publisher = find(participantId);
  if (!publisher) {
    return fail(MediaError::kParticipantNotFound);
  }
  if (!publisher->grants().publish) {
    return fail(MediaError::kForbidden);
  }
  publisher->publisherTransport().setRemoteParameters(parameters.remoteFingerprint.algorithm,
                                                      parameters.remoteFingerprint.value);

  std::vector<std::string> mids;
  std::vector<Producer*> added;
  RtpHeaderExtensionIds ids;
  for (const PublishedTrackParameters& track : parameters.tracks) {
    mids.push_back(track.mid);
    // One id per extension for the connection; where m-lines disagree (werift numbers
    // each m-line's own), the last track that has it wins, as video comes last.
    auto take = [](int& id, int trackId) { id = trackId != 0 ? trackId : id; };
    take(ids.mid, track.extensions.mid);
    take(ids.transportCc, track.extensions.transportCc);
    take(ids.rid, track.extensions.rid);
    take(ids.repairedRid, track.extensions.repairedRid);
    if (track.kind == "audio" && track.extensions.audioLevel != 0) {
      speakers_.setExtensionId(participantId, static_cast<uint8_t>(track.extensions.audioLevel));
    }
    if (publisher->findProducerByMid(track.mid)) {
      continue;  // renegotiation keeps existing tracks as they are
    }
    ProducerParameters producer;
    producer.mid = track.mid;
    producer.kind = track.kind;
    producer.trackId = track.trackId;
    producer.codecs = track.codecs;
    producer.forwardedPayloadTypes = track.forwardedPayloadTypes;
    producer.forwardedCodecs = track.forwardedCodecs;
    for (const RtpEncoding& encoding : track.encodings) {
      if (!encoding.rid.empty()) {
        producer.rids.push_back(encoding.rid);
      }
    }
    if (producer.rids.empty() && !track.encodings.empty()) {
      producer.ssrc = track.encodings.front().ssrc;
      producer.rtxSsrc = track.encodings.front().rtxSsrc;
    }
    added.push_back(&publisher->addProducer(std::move(producer)));
  }
  publisher->setPublisherExtensionIds(ids.mid, ids.transportCc);
  publisher->setPublisherRidExtensionIds(ids.rid, ids.repairedRid);
  size_t before = publisher->producers().size();
  publisher->removeProducersExcept(mids);
  bool removedSome = publisher->producers().size() != before;

  for (auto& [id, other] : participants_) {
    if (other.get() == publisher || !other->grants().subscribe) {
      continue;
    }
    for (Producer* producer : added) {
      subscribeToProducer(*other, *producer);
    }
    if (!added.empty() || removedSome) {
      renegotiate(*other);
    }
  }
  log::info("media_publish", {{"room", id_}, {"participant", participantId}, {"tracks", parameters.tracks.size()}});
  return Ok{};
}

void Room::subscribeToProducer(Participant& subscriber, Producer& producer) {
  const RtpCodec* codec = forwardedCodecOf(producer);
  if (codec != nullptr && !capabilities_[subscriber.id()].canReceive(producer.kind(), *codec)) {
    tellCodecUnsupported(subscriber, producer.participantId(), producer.kind(), *codec);
    return;
  }
  subscriber.addConsumer(producer);
}

void Room::tellCodecUnsupported(const Participant& subscriber, const std::string& publisherId, const std::string& kind,
                                const RtpCodec& codec) {
  log::info("media_codec_unsupported", {{"room", id_}, {"participant", subscriber.id()}, {"publisher", publisherId},
                                        {"kind", kind}, {"codec", codec.name}});
  worker_.toControl([&events = worker_.events(), roomId = id_, participantId = subscriber.id(), publisherId, kind,
                     name = codec.name] { events.onCodecUnsupported(roomId, participantId, publisherId, kind, name); });
}

void Room::renegotiate(Participant& subscriber) {
  auto& state = subscriber.subscribeState();
  if (state.outstanding) {
    state.renegotiationNeeded = true;
    return;
  }
  sendSubscribeOffer(subscriber);
}

void Room::sendSubscribeOffer(Participant& subscriber) {
  auto& state = subscriber.subscribeState();
  const auto& consumers = subscriber.consumers();
  if (consumers.empty()) {
    return;  // nothing to receive yet: no offer (a browser needs at least one m-line)
  }
  const SubscriberCapabilities& capabilities = capabilities_[subscriber.id()];
  SubscribeOffer offer;
  for (const auto& consumer : consumers) {
    SubscribedTrack track;
    track.mid = consumer->mid();
    track.kind = consumer->kind();
    track.active = !consumer->closed() && !consumer->codecs().empty() && !capabilities.refusedMid(consumer->mid());
    track.participantId = consumer->producerParticipantId();
    track.trackId = consumer->trackId();
    track.ssrc = consumer->ssrc();
    track.rtxSsrc = consumer->rtxSsrc();
    track.codecs = consumer->codecs();
    if (!capabilities.receivesRtx(track.kind)) {
      // Announced decoders without RTX: the offer has none, so the answer keeps none and
      // the consumer never sends any (setRtxNegotiated).
      std::erase_if(track.codecs, [](const RtpCodec& codec) { return codec.rtxFor.has_value(); });
      track.rtxSsrc = 0;
    }
    offer.tracks.push_back(std::move(track));
  }
  offer.receivableExtensions = capabilities.receivableExtensions();
  const auto& tracks = offer.tracks;
  bool anyActive = std::any_of(tracks.begin(), tracks.end(), [](const auto& t) { return t.active; });
  if (!anyActive) {
    // Everyone this subscriber received has left: an offer whose m-lines are all stopped
    // has no BUNDLE group, which a max-bundle browser refuses. Skip it; the stopped
    // m-lines go out with the next offer that has something to receive.
    state.renegotiationNeeded = false;
    return;
  }
  ++state.version;
  state.outstanding = true;
  state.renegotiationNeeded = false;
  state.consumersInOffer = consumers.size();
  offer.version = state.version;
  offer.local = localTransportOf(subscriber.subscriberTransport(), worker_);
  std::string roomId = id_;
  std::string participantId = subscriber.id();
  // The control side writes the SDP (sfu/negotiation.hpp) and hands it to signaling.
  worker_.toControl([&sink = worker_.subscribeOffers(), roomId, participantId, offer = std::move(offer)]() mutable {
    sink(roomId, participantId, std::move(offer));
  });
}

Result<IceRestart, MediaError> Room::restartIce(const std::string& participantId, const std::string& iceUfrag) {
  Participant* participant = find(participantId);
  if (!participant) {
    return fail(MediaError::kParticipantNotFound);
  }
  // Only the participant's own transports, by their current ufrag: another participant's
  // ufrag, or one a restart already replaced (a repeated request), changes nothing.
  IceRestart restart;
  WebRtcTransport* transport = nullptr;
  if (participant->publisherTransport().localUfrag() == iceUfrag) {
    transport = &participant->publisherTransport();
    restart.connection = IceRestart::Connection::kPublisher;
  } else if (participant->subscriberTransport().localUfrag() == iceUfrag) {
    transport = &participant->subscriberTransport();
    restart.connection = IceRestart::Connection::kSubscriber;
  } else {
    return fail(MediaError::kTransportNotFound);
  }
  transport->restartIce();
  restart.iceUfrag = transport->localUfrag();
  restart.icePwd = transport->localPassword();
  log::info("media_ice_restart", {{"room", id_}, {"participant", participantId},
                                  {"connection", restart.connection == IceRestart::Connection::kPublisher ? "publisher" : "subscriber"}});
  if (restart.connection == IceRestart::Connection::kSubscriber) {
    // The server offers on this connection: the new credentials go out in a new offer
    // (after the outstanding one is answered, if any).
    renegotiate(*participant);
  }
  return restart;
}

Result<Ok, MediaError> Room::answerSubscription(const std::string& participantId, uint32_t version,
                                                const SubscribeAnswer& answer) {
  Participant* subscriber = find(participantId);
  if (!subscriber) {
    return fail(MediaError::kParticipantNotFound);
  }
  auto& state = subscriber->subscribeState();
  if (!state.outstanding || version != state.version) {
    return fail(MediaError::kStaleVersion);
  }
  subscriber->subscriberTransport().setRemoteParameters(answer.remoteFingerprint.algorithm,
                                                        answer.remoteFingerprint.value);
  subscriber->subscriberTransport().setTransportExtensions(answer.absSendTimeId,
                                                           worker_.bandwidthEstimation() ? answer.transportCcId : 0);
  const auto& consumers = subscriber->consumers();
  SubscriberCapabilities& capabilities = capabilities_[participantId];
  for (size_t i = 0; i < state.consumersInOffer && i < consumers.size(); ++i) {
    Consumer& consumer = *consumers[i];
    bool offeredActive = !consumer.closed() && !consumer.codecs().empty() && !capabilities.refusedMid(consumer.mid());
    if (offeredActive && std::find(answer.rejectedMids.begin(), answer.rejectedMids.end(), consumer.mid()) !=
                             answer.rejectedMids.end()) {
      // Port 0 for an m-line offered active: the browser has no decoder for its codec.
      capabilities.refuse(consumer.mid(), consumer.kind(), consumer.codecs().front());
      tellCodecUnsupported(*subscriber, consumer.producerParticipantId(), consumer.kind(), consumer.codecs().front());
    }
    bool accepted = !consumer.closed() && std::find(answer.acceptedMids.begin(), answer.acceptedMids.end(),
                                                     consumer.mid()) != answer.acceptedMids.end();
    if (accepted && !consumer.negotiated()) {
      consumer.requestKeyframe();
    }
    consumer.setNegotiated(accepted);
    consumer.setRtxNegotiated(accepted && std::find(answer.rtxMids.begin(), answer.rtxMids.end(), consumer.mid()) !=
                                              answer.rtxMids.end());
  }
  state.outstanding = false;
  if (state.renegotiationNeeded) {
    sendSubscribeOffer(*subscriber);
  }
  return Ok{};
}

void Room::onParticipantRtp(Participant& publisher, Producer& producer, size_t layer, rtp::RtpPacketView& packet,
                            Micros now) {
  if (!producer.isVideo()) {
    observeAudioLevel(publisher, packet);  // before the early return: alone, one still speaks
  }
  const auto& consumers = producer.consumers();
  if (consumers.empty()) {
    return;
  }
  auto payloadType = producer.canonicalPayloadType(packet.payloadType());
  if (!payloadType) {
    return;
  }
  if (forwardTap != nullptr) {
    forwardTap(packet);  // medrtc-tap only (sfu/forward_tap.hpp)
  }
  // Audio has no keyframes: every packet is a place to start.
  bool keyframe = !producer.isVideo() || producer.isKeyframe(packet);
  for (Consumer* consumer : consumers) {
    consumer->forward(packet, layer, *payloadType, keyframe, now);
  }
  if (producer.isVideo() && packet.marker()) {
    // The frame's last packet (RFC 3551 §4.1): count freezes per subscriber on what it got,
    // which is only the simulcast layer it is being sent.
    for (Consumer* consumer : consumers) {
      if (consumer->negotiated() && consumer->stats().packetsSent > 0 && consumer->currentLayer() == layer) {
        quality_.onVideoFrame(*consumer, now);
      }
    }
  }
}

void Room::onParticipantFailed(Participant& participant, const std::string& reason) {
  // Report to signaling, which owns the participant's lifecycle and will remove it; never
  // destroy the participant here, deep inside its own transport's call stack.
  log::warn("media_failed", {{"room", id_}, {"participant", participant.id()}, {"reason", reason}});
  std::string roomId = id_;
  std::string participantId = participant.id();
  MediaEvents& events = worker_.events();
  worker_.toControl([&events, roomId, participantId, reason] { events.onMediaFailed(roomId, participantId, reason); });
}

void Room::observeAudioLevel(const Participant& publisher, const rtp::RtpPacketView& packet) {
  uint8_t id = speakers_.extensionId(publisher.id());
  if (id == 0) {
    return;
  }
  if (auto level = packet.audioLevel(id)) {
    speakers_.observe(publisher.id(), level->level);
  }
}

void Room::announceActiveSpeaker(Micros now) {
  if (!speakers_.due(now)) {
    return;
  }
  auto speaker = speakers_.evaluate(now);
  if (!speaker) {
    return;
  }
  std::string roomId = id_;
  MediaEvents& events = worker_.events();
  worker_.toControl([&events, roomId, participantId = std::move(*speaker)] {
    events.onActiveSpeaker(roomId, participantId);
  });
}

void Room::reportQuality(Micros now) {
  if (!quality_.due(now)) {
    return;
  }
  std::vector<ParticipantQuality> figures = quality_.report(participants_, now);
  if (figures.empty()) {
    return;
  }
  std::string roomId = id_;
  MediaEvents& events = worker_.events();
  worker_.toControl([&events, roomId, figures = std::move(figures)]() mutable {
    events.onQualityReport(roomId, std::move(figures));
  });
}

void Room::onTick(Micros now, unsigned slot) {
  if (slot == 0) {
    announceActiveSpeaker(now);
    reportQuality(now);
  }
  for (auto& [id, participant] : participants_) {
    auto it = tickSlots_.find(id);
    if (it != tickSlots_.end() && it->second == slot) {
      participant->onTick(now);
    }
  }
}

}  // namespace medrtc::sfu
