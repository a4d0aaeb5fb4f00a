#pragma once
// The sending half of a synthetic publisher: builds RTP packets for one Opus and one VP8
// stream (RFC 3550 §5.1 headers, RFC 8285 extensions: sdes:mid, abs-send-time and
// transport-wide-cc with one transport sequence number across both streams), hands each
// plaintext packet to a sink (the transport protects and sends it), keeps recent video and
// audio packets for NACK retransmission, and reacts to the server's RTCP feedback:
// PLI/FIR → the next video frame is a keyframe (RFC 4585 §6.3.1, RFC 5104 §4.3.1),
// generic NACK → resend from the cache (RFC 4585 §6.2.1; no RTX negotiated, so the same
// SSRC and sequence number, with a fresh transport sequence number).
// No sockets and no clock of its own: the caller passes the time.
#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/bytes.hpp"
#include "common/clock.hpp"

namespace medrtc::client {

struct MediaSenderConfig {
  uint32_t audioSsrc = 0;  // 0 = this stream is not sent
  uint32_t videoSsrc = 0;
  uint8_t audioPayloadType = 111;
  uint8_t videoPayloadType = 96;
  std::string audioMid = "0";
  std::string videoMid = "1";
  // Negotiated RFC 8285 ids; 0 = not negotiated, the extension is left out.
  uint8_t midExtensionId = 1;
  uint8_t absSendTimeExtensionId = 2;
  uint8_t transportCcExtensionId = 3;
  size_t maxRtpPayload = 1100;    // VP8 packets are split to at most this
  size_t audioPayloadBytes = 80;  // Opus at ~32 kbit/s, 20 ms frames
  uint16_t videoWidth = 1280;
  uint16_t videoHeight = 720;
  size_t videoCachePackets = 512;  // about 3 s at 1.5 Mbit/s
  size_t audioCachePackets = 64;
  // RFC 8853 simulcast: the video goes as one stream per RID (lowest resolution first),
  // layer i on SSRC videoSsrc + i with the RID header extension (RFC 8852), each layer a
  // third of the next one's size and bytes (the top layer: the full frame). Empty: one stream.
  std::vector<std::string> videoRids;
  uint8_t ridExtensionId = 0;  // negotiated id of sdes:rtp-stream-id; 0 = not negotiated
};

class MediaSender {
 public:
  // Largest plaintext RTP packet we build: payload + header + extensions.
  static constexpr size_t kMaxPacketSize = 1200;

  using Sink = std::function<void(ByteView rtpPacket)>;

  struct StreamCounters {
    uint64_t packets = 0;
    uint64_t payloadBytes = 0;
    uint64_t frames = 0;
    uint64_t keyframes = 0;
    uint64_t retransmitted = 0;
    uint32_t lastRtpTimestamp = 0;
    Micros lastSendTime{0};
  };
  struct Stats {
    StreamCounters audio;
    StreamCounters video;
    uint64_t plisReceived = 0;
    uint64_t firsReceived = 0;
    uint64_t nacksReceived = 0;        // NACK packets
    uint64_t nackedPackets = 0;        // sequence numbers asked for
    uint64_t nackMisses = 0;           // asked for but no longer (or never) in the cache
  };

  MediaSender(MediaSenderConfig config, Sink sink);

  // One 20 ms Opus frame: RTP timestamp advances 960 per frame (48 kHz, RFC 7587 §4.1).
  // Returns the packets sent (0 or 1).
  size_t sendAudioFrame(Micros now);
  // One VP8 frame of `frameBytes`, split into packets, marker on the last (RFC 7741 §4.1).
  // RTP timestamp = 90 kHz clock from `now`. A pending keyframe request turns it into a
  // keyframe. Returns the packets sent.
  size_t sendVideoFrame(Micros now, bool keyframe, size_t frameBytes);

  // The SSRC of video layer `index` (0 without simulcast); 0 when there is no such layer.
  uint32_t videoSsrc(size_t index = 0) const { return index < video_.size() ? video_[index].ssrc : 0; }
  size_t videoLayers() const { return video_.size(); }

  // Reacts to PLI, FIR and NACK for our SSRCs in a (decrypted) compound RTCP packet.
  void handleRtcp(ByteView compound, Micros now);
  // Resends one cached packet; false if it is not in the cache.
  bool retransmit(uint32_t ssrc, uint16_t sequenceNumber, Micros now);

  void requestKeyframe() { keyframeRequested_ = true; }
  bool keyframeRequested() const { return keyframeRequested_; }

  const MediaSenderConfig& config() const { return config_; }
  const Stats& stats() const { return stats_; }

 private:
  struct CachedPacket {
    uint32_t ssrc = 0;
    uint16_t sequenceNumber = 0;
    bool valid = false;
    uint16_t size = 0;
    std::array<uint8_t, kMaxPacketSize> data;
  };
  struct Stream {
    uint32_t ssrc = 0;
    uint8_t payloadType = 0;
    std::string mid;
    std::string rid;  // simulcast layers only
    uint16_t sequenceNumber = 0;
    uint32_t timestampBase = 0;
    std::vector<CachedPacket> cache;
    StreamCounters* counters = nullptr;
  };

  // Builds, caches and sinks one packet.
  void sendPacket(Stream& stream, bool marker, uint32_t timestamp, ByteView payload, Micros now);
  CachedPacket* findCached(Stream& stream, uint16_t sequenceNumber);
  Stream* streamFor(uint32_t ssrc);

  MediaSenderConfig config_;
  Sink sink_;
  Stream audio_;
  std::vector<Stream> video_;  // one per simulcast layer, lowest first; empty: no video
  uint16_t transportSequence_ = 0;
  uint16_t pictureId_ = 0;
  bool keyframeRequested_ = false;
  uint32_t audioFrames_ = 0;
  std::optional<Micros> videoStart_;
  Stats stats_;
  std::array<uint8_t, kMaxPacketSize> payloadBuffer_{};
  std::array<uint8_t, kMaxPacketSize> packetBuffer_{};
};

}  // namespace medrtc::client
