#include "rtp/vp8.hpp"

namespace medrtc::rtp {

std::optional<Vp8PayloadDescriptor> Vp8PayloadDescriptor::parse(ByteView payload) {
  // RFC 7741 §4.2:
  //   |X|R|N|S|R| PID |  then if X: |I|L|T|K| RSV |, then I: |M| PictureID (7 or 15 bits)|,
  //   then L: TL0PICIDX, then T or K: |TID|Y| KEYIDX |.
  if (payload.empty()) {
    return std::nullopt;
  }
  Vp8PayloadDescriptor d;
  const uint8_t first = payload[0];
  d.nonReference = (first & 0x20) != 0;
  d.startOfPartition = (first & 0x10) != 0;
  d.partitionIndex = first & 0x07;
  size_t offset = 1;
  if ((first & 0x80) != 0) {
    if (offset >= payload.size()) {
      return std::nullopt;
    }
    const uint8_t ext = payload[offset++];
    d.hasPictureId = (ext & 0x80) != 0;
    d.hasTl0PicIdx = (ext & 0x40) != 0;
    d.hasTid = (ext & 0x20) != 0;
    d.hasKeyIdx = (ext & 0x10) != 0;
    if (d.hasPictureId) {
      if (offset >= payload.size()) {
        return std::nullopt;
      }
      if ((payload[offset] & 0x80) != 0) {
        if (offset + 2 > payload.size()) {
          return std::nullopt;
        }
        d.pictureId15Bit = true;
        d.pictureId = readU16(&payload[offset]) & 0x7FFF;
        offset += 2;
      } else {
        d.pictureId = payload[offset] & 0x7F;
        offset += 1;
      }
    }
    if (d.hasTl0PicIdx) {
      if (offset >= payload.size()) {
        return std::nullopt;
      }
      d.tl0PicIdx = payload[offset++];
    }
    if (d.hasTid || d.hasKeyIdx) {
      if (offset >= payload.size()) {
        return std::nullopt;
      }
      const uint8_t b = payload[offset++];
      if (d.hasTid) {
        d.tid = b >> 6;
        d.layerSync = (b & 0x20) != 0;
      }
      if (d.hasKeyIdx) {
        d.keyIdx = b & 0x1F;
      }
    }
  }
  d.size = offset;
  return d;
}

bool isVp8Keyframe(ByteView payload) {
  const auto d = Vp8PayloadDescriptor::parse(payload);
  if (!d || !d->startOfPartition || d->partitionIndex != 0) {
    return false;
  }
  const ByteView vp8 = payload.subspan(d->size);
  // RFC 7741 §4.3: the 3-byte frame tag |Size0|H|VER|P| ...; P=0 marks a key frame.
  if (vp8.size() < 3 || (vp8[0] & 0x01) != 0) {
    return false;
  }
  // RFC 6386 §9.1: a key frame continues with the start code 9d 01 2a. Checking it when
  // present keeps garbage from being mistaken for a keyframe.
  if (vp8.size() >= 6 && (vp8[3] != 0x9d || vp8[4] != 0x01 || vp8[5] != 0x2a)) {
    return false;
  }
  return true;
}

}  // namespace medrtc::rtp
