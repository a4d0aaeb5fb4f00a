#include "sfu/rtcp_scheduler.hpp"

#include <array>
#include <ctime>

#include "common/random.hpp"
#include "rtp/rtcp_writer.hpp"
#include "sfu/consumer.hpp"
#include "sfu/media_counters.hpp"
#include "sfu/producer.hpp"
#include "sfu/webrtc_transport.hpp"

namespace medrtc::sfu {

namespace {
// libwebrtc sends transport feedback every 50–100 ms; its send-side estimator expects that.
constexpr Micros kTransportFeedbackInterval{50'000};
// RFC 3550 §6.2 with a small session: about once a second.
constexpr Micros kReportInterval{1'000'000};
constexpr size_t kMaxRtcpSize = 1200;

uint64_t ntpNow() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  constexpr uint64_t kNtpUnixOffset = 2208988800ULL;
  uint64_t seconds = static_cast<uint64_t>(ts.tv_sec) + kNtpUnixOffset;
  uint64_t fraction = (static_cast<uint64_t>(ts.tv_nsec) << 32) / 1'000'000'000ULL;
  return (seconds << 32) | fraction;
}
}  // namespace

RtcpScheduler::RtcpScheduler() : feedbackSsrc_(randomU32() | 1) {}

void RtcpScheduler::onTransportSequenceNumber(uint16_t sequenceNumber, Micros arrival) {
  transportCc_.onPacket(sequenceNumber, arrival.count());
}

void RtcpScheduler::onTick(Micros now, WebRtcTransport& publisher, WebRtcTransport& subscriber,
                           const std::vector<Producer*>& producers,
                           const std::vector<std::unique_ptr<Consumer>>& consumers) {
  if (publisher.connected()) {
    if (now - lastTransportFeedback_ >= kTransportFeedbackInterval) {
      lastTransportFeedback_ = now;
      sendTransportFeedback(publisher, producers);
    }
    sendNacks(now, publisher, producers);
    sendKeyframeRequests(now, publisher, producers);
  }
  if (now - lastReports_ >= kReportInterval) {
    lastReports_ = now;
    if (publisher.connected()) {
      sendReceiverReports(now, publisher, producers);
    }
    if (subscriber.connected()) {
      sendSenderReports(now, subscriber, consumers);
    }
  }
}

void RtcpScheduler::sendTransportFeedback(WebRtcTransport& publisher, const std::vector<Producer*>& producers) {
  uint32_t mediaSsrc = 0;
  for (Producer* producer : producers) {
    if (producer->ssrc() != 0) {
      mediaSsrc = producer->ssrc();
      break;
    }
  }
  std::array<uint8_t, kMaxRtcpSize> buffer;
  // A long gap (or a burst at HD rates) may need several feedback packets.
  for (int i = 0; i < 8 && transportCc_.hasPending(); ++i) {
    size_t size = transportCc_.buildFeedback(MutableByteView(buffer), feedbackSsrc_, mediaSsrc);
    if (size == 0) {
      break;
    }
    publisher.sendRtcp(ByteView(buffer.data(), size));
  }
}

void RtcpScheduler::sendNacks(Micros now, WebRtcTransport& publisher, const std::vector<Producer*>& producers) {
  // One generic NACK holds 17 numbers per FCI entry; 64 numbers fit any MTU.
  constexpr size_t kMaxPerNack = 64;
  for (Producer* producer : producers) {
    if (!producer->isVideo() || !producer->nackNegotiated()) {
      continue;
    }
    for (size_t layer = 0; layer < producer->layerCount(); ++layer) {
      RtpReceiveStream& stream = producer->layer(layer);
      if (stream.ssrc() == 0 || stream.nack().pending() == 0) {
        continue;
      }
      lost_.clear();
      stream.nack().collect(now, lost_, kMaxPerNack);
      if (lost_.empty()) {
        continue;
      }
      std::array<uint8_t, kMaxRtcpSize> buffer;
      size_t size = rtp::writeGenericNack(MutableByteView(buffer), feedbackSsrc_, stream.ssrc(), lost_);
      if (size != 0 && publisher.sendRtcp(ByteView(buffer.data(), size))) {
        mediaCounters().nacksSent.add(lost_.size());
      }
    }
  }
}

void RtcpScheduler::sendKeyframeRequests(Micros now, WebRtcTransport& publisher, const std::vector<Producer*>& producers) {
  for (Producer* producer : producers) {
    // One PLI per simulcast layer: each layer is its own encoder stream (RFC 4585 §6.3.1
    // names the media source by its SSRC).
    for (size_t layer = 0; layer < producer->layerCount(); ++layer) {
      uint32_t ssrc = producer->layer(layer).ssrc();
      if (ssrc != 0 && producer->takeKeyframeRequest(now, layer)) {
        std::array<uint8_t, 16> buffer;
        size_t size = rtp::writePli(MutableByteView(buffer), feedbackSsrc_, ssrc);
        if (publisher.sendRtcp(ByteView(buffer.data(), size))) {
          mediaCounters().plisSent.add();
        }
      }
    }
  }
}

void RtcpScheduler::sendReceiverReports(Micros now, WebRtcTransport& publisher, const std::vector<Producer*>& producers) {
  std::vector<rtp::ReportBlock> blocks;
  for (Producer* producer : producers) {
    for (size_t layer = 0; layer < producer->layerCount(); ++layer) {
      uint8_t raw[rtp::kReportBlockSize];
      if (blocks.size() < 31 && producer->writeReportBlock(raw, now, layer)) {
        blocks.push_back(rtp::readReportBlock(raw));
      }
    }
  }
  std::array<uint8_t, kMaxRtcpSize> buffer;
  size_t size = rtp::writeReceiverReport(MutableByteView(buffer), feedbackSsrc_, blocks);
  if (size != 0) {
    publisher.sendRtcp(ByteView(buffer.data(), size));
  }
}

void RtcpScheduler::sendSenderReports(Micros now, WebRtcTransport& subscriber,
                                      const std::vector<std::unique_ptr<Consumer>>& consumers) {
  std::array<uint8_t, kMaxRtcpSize> buffer;
  size_t used = 0;
  uint64_t ntp = ntpNow();
  for (const auto& consumer : consumers) {
    auto info = consumer->senderInfo(now, ntp);
    if (!info) {
      continue;
    }
    if (used + 64 > buffer.size()) {
      subscriber.sendRtcp(ByteView(buffer.data(), used));
      used = 0;
    }
    rtp::SenderInfo sender{consumer->ssrc(), info->ntp, info->rtpTimestamp, info->packetCount, info->octetCount};
    used += rtp::writeSenderReport(MutableByteView(buffer).subspan(used), sender, {});
  }
  if (used != 0) {
    subscriber.sendRtcp(ByteView(buffer.data(), used));
  }
}

}  // namespace medrtc::sfu
