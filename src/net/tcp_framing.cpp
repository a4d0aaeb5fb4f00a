#include "net/tcp_framing.hpp"

#include <algorithm>
#include <cstring>

namespace medrtc::net {

const char* toString(TcpFramingError e) {
  switch (e) {
    case TcpFramingError::kEmptyFrame:
      return "empty frame";
    case TcpFramingError::kFrameTooLarge:
      return "frame too large";
  }
  return "unknown";
}

Result<Ok, TcpFramingError> Rfc4571Reader::feed(ByteView bytes, const FrameHandler& onFrame) {
  if (broken_) {
    return fail(error_);
  }
  size_t at = 0;
  while (at < bytes.size()) {
    if (headerFilled_ < kHeaderLength) {
      header_[headerFilled_++] = bytes[at++];
      if (headerFilled_ < kHeaderLength) {
        continue;
      }
      frameLength_ = (size_t{header_[0]} << 8) | header_[1];
      frameFilled_ = 0;
      if (frameLength_ == 0 || frameLength_ > kMaxFrameLength) {
        broken_ = true;
        error_ = frameLength_ == 0 ? TcpFramingError::kEmptyFrame : TcpFramingError::kFrameTooLarge;
        return fail(error_);
      }
      continue;
    }
    size_t take = std::min(frameLength_ - frameFilled_, bytes.size() - at);
    std::memcpy(frame_.data() + frameFilled_, bytes.data() + at, take);
    frameFilled_ += take;
    at += take;
    if (frameFilled_ == frameLength_) {
      headerFilled_ = 0;
      ++framesRead_;
      onFrame(MutableByteView(frame_.data(), frameLength_));
    }
  }
  return Ok{};
}

bool writeRfc4571Header(uint8_t* out, size_t length) {
  if (length > 0xFFFF) {
    return false;
  }
  out[0] = static_cast<uint8_t>(length >> 8);
  out[1] = static_cast<uint8_t>(length & 0xFF);
  return true;
}

}  // namespace medrtc::net
