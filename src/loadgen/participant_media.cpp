#include "loadgen/participant_media.hpp"
#include "log/log.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>

namespace medrtc::loadgen {

Result<std::unique_ptr<ParticipantMedia>, std::string> ParticipantMedia::create(net::EventLoop& loop,
                                                                                const MediaSettings& settings) {
  std::unique_ptr<ParticipantMedia> media(new ParticipantMedia(loop, settings));
  client::PeerConnectionConfig config;
  config.bindAddress = settings.bindAddress;
  config.identity = settings.identity;
  config.media.maxRtpPayload = settings.maxRtpPayload;
  // Latency by kernel arrival: a packet that waited in our socket while this loop served
  // other participants is not the server's delay (issue 14 item 4).
  config.kernelArrivalTimes = settings.kernelArrivalTimes;
  auto subscriber = client::PeerConnection::create(loop, config, media.get());
  config.media.videoRids = settings.videoRids;
  auto publisher = client::PeerConnection::create(loop, config, media.get());
  if (!publisher || !subscriber) {
    return fail("cannot bind a media socket on " + settings.bindAddress.toString());
  }
  media->publisher_ = std::move(*publisher);
  media->subscriber_ = std::move(*subscriber);
  return media;
}

ParticipantMedia::ParticipantMedia(net::EventLoop& loop, const MediaSettings& settings)
    : loop_(loop), settings_(settings) {}

ParticipantMedia::~ParticipantMedia() { close(); }

std::string ParticipantMedia::createPublishOffer() { return publisher_->createPublishOffer(); }

Result<Ok, std::string> ParticipantMedia::applyPublishAnswer(std::string_view sdp) {
  auto applied = publisher_->applyAnswer(sdp);
  if (!applied) {
    return fail("publish answer: " + std::string(client::toString(applied.error())));
  }
  return Ok{};
}

Result<std::string, std::string> ParticipantMedia::answerSubscribeOffer(std::string_view sdp) {
  auto answer = subscriber_->answerOffer(sdp);
  if (!answer) {
    return fail("subscribe offer: " + std::string(client::toString(answer.error())));
  }
  return std::move(*answer);
}

void ParticipantMedia::stopSending() {
  if (pacer_) {
    pacer_->stop();
  }
}

void ParticipantMedia::close() {
  stopSending();
  pacer_.reset();
  if (publisher_) {
    publisher_->close();
  }
  if (subscriber_) {
    subscriber_->close();
  }
}

void ParticipantMedia::onConnected(client::PeerConnection& pc, const client::PeerConnection::ConnectedInfo& info) {
  log::debug("loadgen_connected", {{"connection", &pc == publisher_.get() ? "publisher" : "subscriber"},
                                   {"ice_ms", (info.iceSucceededAt - info.startedAt).count() / 1000},
                                   {"dtls_ms", (info.dtlsConnectedAt - info.iceSucceededAt).count() / 1000},
                                   {"checks_answered", pc.transport().stats().checksAnswered}});
  if (&pc == publisher_.get() && !pacer_) {
    pacer_ = std::make_unique<client::SyntheticPublisher>(loop_, pc, settings_.publisher);
    pacer_->start();
  }
}

void ParticipantMedia::onRtp(client::PeerConnection& pc, const rtp::RtpPacketView&,
                             const client::PeerConnection::ReceivedRtp& info) {
  if (&pc != subscriber_.get()) {
    return;
  }
  if (lastRtpAt_.count() == 0) {
    log::debug("loadgen_first_remote_rtp");
    firstRemoteRtpAt_.store(info.receivedAt.count(), std::memory_order_relaxed);
  } else {
    maxGap_ = std::max(maxGap_, info.receivedAt - lastRtpAt_);
  }
  lastRtpAt_ = info.receivedAt;
}

void ParticipantMedia::onFailed(client::PeerConnection& pc, const std::string& reason) {
  if (failure_.empty()) {
    failure_ = (&pc == publisher_.get() ? "publisher " : "subscriber ") + reason;
    failed_.store(true, std::memory_order_relaxed);
  }
  if (&pc == publisher_.get()) {
    stopSending();
  }
}

ParticipantResult ParticipantMedia::snapshot(Micros end) const {
  ParticipantResult r;
  r.failure = failure_;
  r.firstRemoteRtpAt = Micros(firstRemoteRtpAt_.load(std::memory_order_relaxed));
  if (const client::MediaSender* sender = publisher_->sender()) {
    r.packetsSent = sender->stats().audio.packets + sender->stats().video.packets;
  }
  const client::ReceiveStats& received = subscriber_->receiveStats();
  for (const auto& [ssrc, stream] : received.streams()) {
    r.packetsReceived += stream.packets;
    r.packetsExpected += stream.expected();
    r.packetsLost += stream.lost();
    r.latency.merge(stream.latency);
  }
  r.audioReceived = received.packets(client::MediaKind::kAudio);
  r.videoReceived = received.packets(client::MediaKind::kVideo);
  Micros gap = maxGap_;
  if (lastRtpAt_.count() != 0 && end > lastRtpAt_) {
    gap = std::max(gap, end - lastRtpAt_);
  }
  r.maxGapMs = static_cast<double>(gap.count()) / 1000.0;
  return r;
}

}  // namespace medrtc::loadgen
