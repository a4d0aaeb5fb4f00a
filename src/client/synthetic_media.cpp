#include "client/synthetic_media.hpp"

#include <algorithm>
#include <cstring>

#include "rtp/vp8.hpp"

namespace medrtc::client {

namespace {

constexpr uint64_t kSendTimeMask = (uint64_t{1} << 56) - 1;
constexpr uint8_t kFillerByte = 0xA7;

// RFC 6386 §9.1 frame tag, little-endian 24 bits: P (inverse key frame flag) in bit 0,
// version in bits 1-3, show_frame in bit 4, first_part_size in bits 5-23.
void writeFrameTag(uint8_t* out, bool keyframe, size_t frameBytes) {
  const uint32_t firstPartSize = static_cast<uint32_t>(std::min<size_t>(frameBytes / 4, 0x7FFFF));
  const uint32_t tag = (keyframe ? 0u : 1u) | (1u << 4) | (firstPartSize << 5);
  out[0] = static_cast<uint8_t>(tag);
  out[1] = static_cast<uint8_t>(tag >> 8);
  out[2] = static_cast<uint8_t>(tag >> 16);
}

}  // namespace

void writeSendTime(uint8_t* out, Micros sendTime) {
  const uint64_t us = static_cast<uint64_t>(sendTime.count()) & kSendTimeMask;
  writeU64(out, (uint64_t{kSendTimeTag} << 56) | us);
}

std::optional<Micros> readSendTime(const uint8_t* in) {
  const uint64_t v = readU64(in);
  if ((v >> 56) != kSendTimeTag) {
    return std::nullopt;
  }
  return Micros(static_cast<int64_t>(v & kSendTimeMask));
}

std::optional<Micros> readVp8SendTime(ByteView rtpPayload) {
  const auto d = rtp::Vp8PayloadDescriptor::parse(rtpPayload);
  if (!d) {
    return std::nullopt;
  }
  size_t offset = d->size;
  if (d->startOfPartition && d->partitionIndex == 0) {
    if (offset >= rtpPayload.size()) {
      return std::nullopt;
    }
    // RFC 7741 §4.3: P bit clear = key frame, whose payload header is 10 bytes.
    offset += (rtpPayload[offset] & 0x01) == 0 ? kVp8KeyframeHeaderSize : kVp8InterframeHeaderSize;
  }
  if (offset + kSendTimeSize > rtpPayload.size()) {
    return std::nullopt;
  }
  return readSendTime(rtpPayload.data() + offset);
}

std::optional<Micros> readOpusSendTime(ByteView rtpPayload) {
  if (rtpPayload.size() < 1 + kSendTimeSize) {
    return std::nullopt;
  }
  return readSendTime(rtpPayload.data() + 1);
}

size_t writeOpusPayload(MutableByteView out, Micros sendTime, size_t size) {
  size = std::max(size, 1 + kSendTimeSize);
  if (out.size() < size) {
    return 0;
  }
  out[0] = kOpusToc;
  writeSendTime(out.data() + 1, sendTime);
  std::memset(out.data() + 1 + kSendTimeSize, kFillerByte, size - 1 - kSendTimeSize);
  return size;
}

Vp8FramePacketizer::Vp8FramePacketizer(const Frame& frame, size_t maxPayload) : frame_(frame) {
  frame_.frameBytes = std::max(frame_.frameBytes, headerSize());
  // Every packet carries the descriptor and the send time; the header is frame data that
  // must fit the first packet whole.
  const size_t overhead = kVp8DescriptorSize + kSendTimeSize;
  const size_t capacity = maxPayload > overhead + headerSize() ? maxPayload - overhead : headerSize();
  packetCount_ = (frame_.frameBytes + capacity - 1) / capacity;
  chunk_ = std::max((frame_.frameBytes + packetCount_ - 1) / packetCount_, headerSize());
  packetCount_ = (frame_.frameBytes + chunk_ - 1) / chunk_;
}

size_t Vp8FramePacketizer::write(size_t index, MutableByteView out) const {
  if (index >= packetCount_) {
    return 0;
  }
  const size_t begin = index * chunk_;
  const size_t length = std::min(chunk_, frame_.frameBytes - begin);
  const size_t size = kVp8DescriptorSize + kSendTimeSize + length;
  if (out.size() < size) {
    return 0;
  }
  uint8_t* p = out.data();
  // RFC 7741 §4.2: |X|R|N|S|R| PID |, then |I|L|T|K| RSV |, then |M| PictureID (15 bits)|.
  p[0] = static_cast<uint8_t>(0x80 | (index == 0 ? 0x10 : 0x00));
  p[1] = 0x80;
  p[2] = static_cast<uint8_t>(0x80 | ((frame_.pictureId >> 8) & 0x7F));
  p[3] = static_cast<uint8_t>(frame_.pictureId);
  p += kVp8DescriptorSize;
  size_t filler = length;
  if (index == 0) {
    writeFrameTag(p, frame_.keyframe, frame_.frameBytes);
    if (frame_.keyframe) {
      // RFC 6386 §9.1: start code, then 14-bit width and height with 2 scaling bits.
      p[3] = 0x9d;
      p[4] = 0x01;
      p[5] = 0x2a;
      p[6] = static_cast<uint8_t>(frame_.width);
      p[7] = static_cast<uint8_t>((frame_.width >> 8) & 0x3F);
      p[8] = static_cast<uint8_t>(frame_.height);
      p[9] = static_cast<uint8_t>((frame_.height >> 8) & 0x3F);
    }
    p += headerSize();
    filler -= headerSize();
  }
  writeSendTime(p, frame_.sendTime);
  p += kSendTimeSize;
  std::memset(p, kFillerByte, filler);
  return size;
}

}  // namespace medrtc::client
