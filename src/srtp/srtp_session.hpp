#pragma once
// One direction of SRTP/SRTCP for one DTLS-SRTP association, on OpenSSL EVP (docs/srtp.md).
// Inbound sessions unprotect what the peer sent; outbound sessions protect what we send.
// Profiles: AES_CM_128_HMAC_SHA1_80 (RFC 3711) and AEAD_AES_128_GCM / AEAD_AES_256_GCM
// (RFC 7714). The keys are derived and the cipher contexts keyed once, in create(); all
// packet operations work in place and never allocate, lock or throw. A session is used by
// one thread at a time (its transport's worker).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include <openssl/types.h>

#include "common/bytes.hpp"
#include "common/result.hpp"
#include "srtp/hmac_sha1.hpp"
#include "srtp/replay_window.hpp"
#include "srtp/srtp_error.hpp"
#include "srtp/srtp_kdf.hpp"
#include "srtp/srtp_profile.hpp"

namespace medrtc::srtp {

enum class SrtpDirection { kInbound, kOutbound };

class SrtpSession {
 public:
  // keyAndSalt: master key followed by master salt (RFC 5764 §4.2 order), of
  // srtpProfileSpec(profile).keySaltLength() bytes.
  static Result<std::unique_ptr<SrtpSession>, SrtpError> create(SrtpDirection direction, SrtpProfile profile,
                                                                ByteView keyAndSalt);
  // From already derived session keys: the RFC 7714 vectors and the start-up self-test
  // are given as session keys.
  static Result<std::unique_ptr<SrtpSession>, SrtpError> createFromSessionKeys(SrtpDirection direction,
                                                                               const SrtpSessionKeys& keys);
  ~SrtpSession();
  SrtpSession(const SrtpSession&) = delete;
  SrtpSession& operator=(const SrtpSession&) = delete;

  // Encrypts and authenticates the RTP packet data[0..len) in place and returns the new
  // length. capacity is the size of the buffer at data; it must be at least
  // len + rtpTrailerLength of the profile (kSrtpMaxRtpTrailer = 16 covers all profiles).
  // Protecting the same sequence number again (a NACK answered from the RTX cache) gives
  // the same bytes again.
  Result<size_t, SrtpError> protectRtp(uint8_t* data, size_t len, size_t capacity);
  // Verifies and decrypts in place; returns the RTP length without the trailer. On
  // failure the bytes at data are unspecified (GCM decrypts before the tag is checked).
  Result<size_t, SrtpError> unprotectRtp(uint8_t* data, size_t len);
  // SRTCP appends the SRTCP index and the tag: capacity >= len + rtcpTrailerLength
  // (kSrtpMaxRtcpTrailer = 20 covers all profiles).
  Result<size_t, SrtpError> protectRtcp(uint8_t* data, size_t len, size_t capacity);
  Result<size_t, SrtpError> unprotectRtcp(uint8_t* data, size_t len);

  SrtpDirection direction() const { return direction_; }
  SrtpProfile profile() const { return profile_; }

 private:
  // What one SSRC needs across packets: its RTP index (ROC and highest sequence number,
  // RFC 3711 §3.3.1) with the replay bitmap, and its SRTCP index.
  struct Stream {
    uint32_t ssrc = 0;
    ReplayWindow rtp;
    ReplayWindow rtcp;      // inbound only
    uint32_t rtcpSent = 0;  // outbound: the SRTCP index last used
  };

  SrtpSession(SrtpDirection direction, SrtpProfile profile);
  bool init(const SrtpSessionKeys& keys);
  Stream* find(uint32_t ssrc);
  Stream& findOrAdd(uint32_t ssrc);

  bool aesCtr(EVP_CIPHER_CTX* ctx, const uint8_t iv[16], uint8_t* data, size_t length);
  bool gcmSeal(EVP_CIPHER_CTX* ctx, const uint8_t iv[12], const uint8_t* aad, size_t aadLength,
               const uint8_t* aad2, size_t aad2Length, uint8_t* data, size_t length, uint8_t* tag);
  bool gcmOpen(EVP_CIPHER_CTX* ctx, const uint8_t iv[12], const uint8_t* aad, size_t aadLength,
               const uint8_t* aad2, size_t aad2Length, uint8_t* data, size_t length, const uint8_t* tag);

  SrtpDirection direction_;
  SrtpProfile profile_;
  bool aead_ = false;
  size_t saltLength_ = 0;
  EVP_CIPHER_CTX* rtpCipher_ = nullptr;
  EVP_CIPHER_CTX* rtcpCipher_ = nullptr;
  HmacSha1 rtpMac_;
  HmacSha1 rtcpMac_;
  uint8_t rtpSalt_[kSrtpMaxMasterSaltLength] = {};
  uint8_t rtcpSalt_[kSrtpMaxMasterSaltLength] = {};
  std::vector<Stream> streams_;  // one per SSRC seen; grows only when a new SSRC appears
  size_t lastStream_ = 0;        // most packets in a row belong to the same SSRC
};

}  // namespace medrtc::srtp
