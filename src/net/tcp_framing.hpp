#pragma once
// RFC 4571 framing: packets over a TCP byte stream, each preceded by its length as a
// 16-bit big-endian number. ICE-TCP (RFC 6544 §3) carries STUN, DTLS and SRTP this way,
// so a TCP connection delivers the same packets a UDP socket would.
//
// The reader never allocates: one frame buffer, sized for the largest packet we accept.
// A stream that breaks the rules is an error value, and the caller closes the connection:
// after a bad length the stream has no frame boundary left to resynchronise on.
#include <array>
#include <cstdint>
#include <functional>

#include "common/bytes.hpp"
#include "common/result.hpp"

namespace medrtc::net {

enum class TcpFramingError {
  kEmptyFrame,     // length 0: no STUN/DTLS/RTP packet is empty (RFC 4571 allows it; we do not)
  kFrameTooLarge,  // longer than kMaxFrameLength: more than any packet we would accept over UDP
};

const char* toString(TcpFramingError e);

class Rfc4571Reader {
 public:
  // The UDP path's datagram size (net/udp_socket.hpp): a browser sends the same packets
  // over TCP, so anything longer is not ours.
  static constexpr size_t kMaxFrameLength = 1500;
  static constexpr size_t kHeaderLength = 2;

  // Called for each complete frame. The view is writable (SRTP decrypts in place) and
  // valid only during the call.
  using FrameHandler = std::function<void(MutableByteView frame)>;

  // Feeds the next bytes of the stream; calls `onFrame` for every frame they complete.
  // Stops at the first error; the reader is then unusable (the stream is out of sync).
  Result<Ok, TcpFramingError> feed(ByteView bytes, const FrameHandler& onFrame);

  // True while a frame (or its length) is partly received.
  bool midFrame() const { return headerFilled_ > 0; }
  uint64_t framesRead() const { return framesRead_; }

 private:
  std::array<uint8_t, kHeaderLength> header_{};
  size_t headerFilled_ = 0;  // 0..2 header bytes, then 2 while the payload fills
  size_t frameLength_ = 0;
  size_t frameFilled_ = 0;
  uint64_t framesRead_ = 0;
  bool broken_ = false;
  TcpFramingError error_ = TcpFramingError::kEmptyFrame;
  std::array<uint8_t, kMaxFrameLength> frame_{};
};

// Writes the 2-byte length header for a `length`-byte frame. False if it does not fit the
// 16-bit field.
bool writeRfc4571Header(uint8_t* out, size_t length);

}  // namespace medrtc::net
