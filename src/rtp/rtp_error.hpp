#pragma once
// Named errors of the RTP/RTCP parsers. Bad packets from the network are values, not
// exceptions: the caller drops them and counts the reason.

namespace medrtc::rtp {

enum class RtpError {
  kTooShort,          // fewer than the 12 fixed header bytes
  kTooLong,           // larger than any UDP datagram (64 KiB)
  kBadVersion,        // RFC 3550 §5.1: V must be 2
  kCsrcOverflow,      // CC says more CSRCs than the packet holds
  kExtensionOverflow, // the header extension runs past the end
  kBadPadding,        // P set but the count is 0 or larger than the payload
  kBufferTooSmall,    // builder: the output buffer cannot hold the packet
  kBadExtension,      // builder: extension id/length not encodable
};

enum class RtcpError {
  kTooShort,       // less than a 4-byte common header, or a body shorter than its type needs
  kBadVersion,     // RFC 3550 §6.4.1: V must be 2
  kBadLength,      // length field points past the buffer
  kBadPadding,     // P set on a packet with an invalid padding count
  kWrongType,      // a typed view asked to parse a packet of another type
  kMalformed,      // a body whose internal structure does not add up (SDES, BYE, TWCC)
};

const char* toString(RtpError e);
const char* toString(RtcpError e);

}  // namespace medrtc::rtp
