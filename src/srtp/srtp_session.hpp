#pragma once
// One direction of SRTP/SRTCP for one DTLS-SRTP association, over libsrtp2.
// Inbound sessions unprotect what the peer sent; outbound sessions protect what we send.
// All packet operations work in place, never allocate and never throw.
#include <cstddef>
#include <cstdint>
#include <memory>

#include "common/bytes.hpp"
#include "common/result.hpp"
#include "srtp/srtp_error.hpp"
#include "srtp/srtp_profile.hpp"

struct srtp_ctx_t_;  // libsrtp's session; kept out of this header.

namespace medrtc::srtp {

enum class SrtpDirection { kInbound, kOutbound };

class SrtpSession {
 public:
  // keyAndSalt: master key followed by master salt (RFC 5764 §4.2 order), of
  // srtpProfileSpec(profile).keySaltLength() bytes.
  static Result<std::unique_ptr<SrtpSession>, SrtpError> create(SrtpDirection direction, SrtpProfile profile,
                                                                ByteView keyAndSalt);
  ~SrtpSession();
  SrtpSession(const SrtpSession&) = delete;
  SrtpSession& operator=(const SrtpSession&) = delete;

  // Encrypts and authenticates the RTP packet data[0..len) in place and returns the new
  // length. capacity is the size of the buffer at data; it must be at least
  // len + rtpTrailerLength of the profile (kSrtpMaxRtpTrailer = 16 covers both profiles).
  Result<size_t, SrtpError> protectRtp(uint8_t* data, size_t len, size_t capacity);
  // Verifies and decrypts in place; returns the RTP length without the trailer.
  Result<size_t, SrtpError> unprotectRtp(uint8_t* data, size_t len);
  // SRTCP appends the SRTCP index and the tag: capacity >= len + rtcpTrailerLength
  // (kSrtpMaxRtcpTrailer = 20 covers both profiles).
  Result<size_t, SrtpError> protectRtcp(uint8_t* data, size_t len, size_t capacity);
  Result<size_t, SrtpError> unprotectRtcp(uint8_t* data, size_t len);

  SrtpDirection direction() const { return direction_; }
  SrtpProfile profile() const { return profile_; }

 private:
  SrtpSession(SrtpDirection direction, SrtpProfile profile, srtp_ctx_t_* session)
      : direction_(direction), profile_(profile), session_(session) {}

  SrtpDirection direction_;
  SrtpProfile profile_;
  srtp_ctx_t_* session_;
};

}  // namespace medrtc::srtp
