#include "client/media_sender.hpp"

#include <algorithm>
#include <cstring>

#include "client/synthetic_media.hpp"
#include "common/random.hpp"
#include "rtp/rtcp_feedback.hpp"
#include "rtp/rtcp_packet.hpp"
#include "rtp/rtp_packet_builder.hpp"
#include "rtp/rtp_packet_view.hpp"

namespace medrtc::client {

namespace {

constexpr uint32_t kOpusSamplesPerFrame = 960;  // 20 ms at 48 kHz
constexpr int64_t kVideoClockRate = 90'000;

// abs-send-time: 24-bit 6.18 fixed-point seconds (webrtc.org abs-send-time spec).
uint32_t absSendTime(Micros now) {
  return static_cast<uint32_t>(((static_cast<uint64_t>(now.count()) << 18) / 1'000'000) & 0xFFFFFF);
}

}  // namespace

MediaSender::MediaSender(MediaSenderConfig config, Sink sink) : config_(std::move(config)), sink_(std::move(sink)) {
  config_.maxRtpPayload = std::min<size_t>(config_.maxRtpPayload, kMaxPacketSize - 64);
  auto setUp = [](Stream& s, uint32_t ssrc, uint8_t pt, const std::string& mid, size_t cacheSize,
                  StreamCounters* counters) {
    s.ssrc = ssrc;
    s.payloadType = pt;
    s.mid = mid;
    // RFC 3550 §5.1: the initial sequence number and timestamp SHOULD be random.
    s.sequenceNumber = static_cast<uint16_t>(randomU32());
    s.timestampBase = randomU32();
    s.counters = counters;
    if (ssrc != 0) {
      s.cache.resize(std::max<size_t>(cacheSize, 1));
    }
  };
  setUp(audio_, config_.audioSsrc, config_.audioPayloadType, config_.audioMid, config_.audioCachePackets,
        &stats_.audio);
  if (config_.videoSsrc != 0) {
    const size_t layers = std::max<size_t>(config_.videoRids.size(), 1);
    video_.resize(layers);
    for (size_t i = 0; i < layers; ++i) {
      setUp(video_[i], config_.videoSsrc + static_cast<uint32_t>(i), config_.videoPayloadType, config_.videoMid,
            config_.videoCachePackets, &stats_.video);
      if (!config_.videoRids.empty()) {
        video_[i].rid = config_.videoRids[i];
      }
    }
  }
  pictureId_ = static_cast<uint16_t>(randomU32() & 0x7FFF);
  transportSequence_ = static_cast<uint16_t>(randomU32());
}

size_t MediaSender::sendAudioFrame(Micros now) {
  if (audio_.ssrc == 0) {
    return 0;
  }
  const size_t size = writeOpusPayload(payloadBuffer_, now, config_.audioPayloadBytes);
  const uint32_t timestamp = audio_.timestampBase + audioFrames_ * kOpusSamplesPerFrame;
  ++audioFrames_;
  // RFC 7587 §4.1: the marker bit is set only at the start of a talkspurt; DTX is not
  // simulated, so only the very first packet has it.
  sendPacket(audio_, audioFrames_ == 1, timestamp, ByteView(payloadBuffer_.data(), size), now);
  ++stats_.audio.frames;
  return 1;
}

size_t MediaSender::sendVideoFrame(Micros now, bool keyframe, size_t frameBytes) {
  if (video_.empty()) {
    return 0;
  }
  if (!videoStart_) {
    videoStart_ = now;
    keyframe = true;  // a stream must start decodable
  }
  keyframe = keyframe || keyframeRequested_;
  keyframeRequested_ = false;
  const auto elapsed = (now - *videoStart_).count();

  Vp8FramePacketizer::Frame frame;
  frame.keyframe = keyframe;
  frame.pictureId = pictureId_;
  frame.sendTime = now;
  pictureId_ = static_cast<uint16_t>((pictureId_ + 1) & 0x7FFF);
  size_t sent = 0;
  // The top layer is the full frame; each lower one a third of the next, in bytes and in
  // each dimension (a load profile, not a browser's exact ladder).
  size_t divisor = 1;
  for (size_t layer = video_.size(); layer-- > 0; divisor *= 3) {
    Stream& stream = video_[layer];
    const uint32_t timestamp = stream.timestampBase + static_cast<uint32_t>(elapsed * kVideoClockRate / 1'000'000);
    frame.width = static_cast<uint16_t>(config_.videoWidth / divisor);
    frame.height = static_cast<uint16_t>(config_.videoHeight / divisor);
    frame.frameBytes = divisor == 1 ? frameBytes : std::max<size_t>(frameBytes / divisor, 1);
    const Vp8FramePacketizer packetizer(frame, config_.maxRtpPayload);
    const size_t count = packetizer.packetCount();
    for (size_t i = 0; i < count; ++i) {
      const size_t size = packetizer.write(i, payloadBuffer_);
      sendPacket(stream, i + 1 == count, timestamp, ByteView(payloadBuffer_.data(), size), now);
    }
    sent += count;
  }
  ++stats_.video.frames;
  if (keyframe) {
    ++stats_.video.keyframes;
  }
  return sent;
}

void MediaSender::sendPacket(Stream& stream, bool marker, uint32_t timestamp, ByteView payload, Micros now) {
  uint8_t absTime[3];
  writeU24(absTime, absSendTime(now));
  uint8_t transportSeq[2];
  writeU16(transportSeq, transportSequence_++);

  rtp::RtpPacketBuilder builder;
  builder.payloadType(stream.payloadType).marker(marker).sequenceNumber(stream.sequenceNumber).timestamp(timestamp).ssrc(
      stream.ssrc);
  if (config_.midExtensionId != 0) {
    builder.addExtension(config_.midExtensionId,
                         ByteView(reinterpret_cast<const uint8_t*>(stream.mid.data()), stream.mid.size()));
  }
  if (config_.absSendTimeExtensionId != 0) {
    builder.addExtension(config_.absSendTimeExtensionId, ByteView(absTime, 3));
  }
  if (config_.transportCcExtensionId != 0) {
    builder.addExtension(config_.transportCcExtensionId, ByteView(transportSeq, 2));
  }
  if (config_.ridExtensionId != 0 && !stream.rid.empty()) {
    builder.addExtension(config_.ridExtensionId,
                         ByteView(reinterpret_cast<const uint8_t*>(stream.rid.data()), stream.rid.size()));
  }
  CachedPacket& slot = stream.cache[stream.sequenceNumber % stream.cache.size()];
  const auto size = builder.write(slot.data, payload);
  if (!size) {
    return;  // can't happen: payload sizes are bounded by maxRtpPayload
  }
  slot.ssrc = stream.ssrc;
  slot.sequenceNumber = stream.sequenceNumber;
  slot.size = static_cast<uint16_t>(*size);
  slot.valid = true;
  ++stream.sequenceNumber;
  ++stream.counters->packets;
  stream.counters->payloadBytes += payload.size();
  stream.counters->lastRtpTimestamp = timestamp;
  stream.counters->lastSendTime = now;
  sink_(ByteView(slot.data.data(), slot.size));
}

MediaSender::Stream* MediaSender::streamFor(uint32_t ssrc) {
  if (ssrc == 0) {
    return nullptr;
  }
  for (Stream& layer : video_) {
    if (ssrc == layer.ssrc) {
      return &layer;
    }
  }
  if (ssrc == audio_.ssrc) {
    return &audio_;
  }
  return nullptr;
}

MediaSender::CachedPacket* MediaSender::findCached(Stream& stream, uint16_t sequenceNumber) {
  CachedPacket& slot = stream.cache[sequenceNumber % stream.cache.size()];
  if (!slot.valid || slot.ssrc != stream.ssrc || slot.sequenceNumber != sequenceNumber) {
    return nullptr;
  }
  return &slot;
}

bool MediaSender::retransmit(uint32_t ssrc, uint16_t sequenceNumber, Micros now) {
  Stream* stream = streamFor(ssrc);
  CachedPacket* cached = stream != nullptr ? findCached(*stream, sequenceNumber) : nullptr;
  if (cached == nullptr) {
    ++stats_.nackMisses;
    return false;
  }
  // Copy: the cached bytes stay plaintext for a later NACK, the sink's copy gets encrypted.
  std::memcpy(packetBuffer_.data(), cached->data.data(), cached->size);
  auto view = rtp::RtpPacketView::parse(MutableByteView(packetBuffer_.data(), cached->size));
  if (!view) {
    return false;
  }
  // Congestion control sees a retransmission as a new packet on the wire.
  if (config_.transportCcExtensionId != 0) {
    view->setTransportSequenceNumber(config_.transportCcExtensionId, transportSequence_++);
  }
  ++stream->counters->retransmitted;
  sink_(ByteView(packetBuffer_.data(), cached->size));
  return true;
}

void MediaSender::handleRtcp(ByteView compound, Micros now) {
  auto parsed = rtp::RtcpCompoundView::parse(compound);
  if (!parsed) {
    return;
  }
  for (const rtp::RtcpPacketView packet : *parsed) {
    switch (packet.kind()) {
      case rtp::RtcpKind::kPli: {
        auto pli = rtp::PliView::parse(packet);
        // One PLI per layer in simulcast; every layer's next frame is a keyframe then.
        if (pli && streamFor(pli->mediaSsrc()) != nullptr && pli->mediaSsrc() != audio_.ssrc) {
          ++stats_.plisReceived;
          keyframeRequested_ = true;
        }
        break;
      }
      case rtp::RtcpKind::kFir: {
        auto fir = rtp::FirView::parse(packet);
        if (!fir) {
          break;
        }
        for (size_t i = 0; i < fir->entryCount(); ++i) {
          if (streamFor(fir->entry(i).ssrc) != nullptr && fir->entry(i).ssrc != audio_.ssrc) {
            ++stats_.firsReceived;
            keyframeRequested_ = true;
          }
        }
        break;
      }
      case rtp::RtcpKind::kGenericNack: {
        auto nack = rtp::GenericNackView::parse(packet);
        if (!nack || streamFor(nack->mediaSsrc()) == nullptr) {
          break;
        }
        ++stats_.nacksReceived;
        const uint32_t ssrc = nack->mediaSsrc();
        nack->forEachSequenceNumber([&](uint16_t seq) {
          ++stats_.nackedPackets;
          retransmit(ssrc, seq, now);
        });
        break;
      }
      default:
        break;
    }
  }
}

}  // namespace medrtc::client
