#include "srtp/srtp_session.hpp"

#include <srtp2/srtp.h>

#include <climits>
#include <cstring>

#include "srtp/crypto_backend.hpp"

namespace medrtc::srtp {
namespace {

// Large enough for video: a keyframe burst of several hundred packets can arrive
// reordered, and the 64-packet default would reject late but genuine packets as too old.
constexpr unsigned long kReplayWindowSize = 1024;

constexpr size_t kRtpFixedHeaderLength = 12;   // RFC 3550 §5.1
constexpr size_t kRtcpMinimumLength = 8;       // RFC 3550 §6.4.1: header + sender SSRC

SrtpError toSrtpError(srtp_err_status_t status) {
  switch (status) {
    case srtp_err_status_auth_fail:
      return SrtpError::kAuthFailed;
    case srtp_err_status_replay_fail:
      return SrtpError::kReplay;
    case srtp_err_status_replay_old:
      return SrtpError::kReplayTooOld;
    case srtp_err_status_bad_param:
    case srtp_err_status_parse_err:
    case srtp_err_status_bad_mki:
      return SrtpError::kBadPacket;
    case srtp_err_status_key_expired:
      return SrtpError::kKeyExpired;
    case srtp_err_status_cipher_fail:
    case srtp_err_status_algo_fail:
      return SrtpError::kCipherFailed;
    case srtp_err_status_init_fail:
    case srtp_err_status_alloc_fail:
      return SrtpError::kInitFailed;
    default:
      return SrtpError::kUnknown;
  }
}

void setCryptoPolicy(SrtpProfile profile, srtp_crypto_policy_t* policy) {
  switch (profile) {
    case SrtpProfile::kAeadAes128Gcm:
      srtp_crypto_policy_set_aes_gcm_128_16_auth(policy);
      return;
    case SrtpProfile::kAes128CmSha1_80:
      srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(policy);
      return;
  }
}

}  // namespace

Result<std::unique_ptr<SrtpSession>, SrtpError> SrtpSession::create(SrtpDirection direction, SrtpProfile profile,
                                                                     ByteView keyAndSalt) {
  if (!initCryptoBackendOnce()) {
    return fail(SrtpError::kInitFailed);
  }
  const auto& spec = srtpProfileSpec(profile);
  if (keyAndSalt.size() != spec.keySaltLength()) {
    return fail(SrtpError::kBadKeyLength);
  }
  // libsrtp reads the key through a non-const pointer but does not keep it: it derives
  // the session keys inside srtp_create (RFC 3711 §4.3). Copy so we can wipe it.
  unsigned char key[SRTP_MAX_KEY_LEN] = {};
  std::memcpy(key, keyAndSalt.data(), keyAndSalt.size());

  srtp_policy_t policy;
  std::memset(&policy, 0, sizeof policy);
  setCryptoPolicy(profile, &policy.rtp);
  setCryptoPolicy(profile, &policy.rtcp);  // RFC 5764 §4.1.2: SRTCP uses the same profile.
  // One DTLS association keys every SSRC in one direction (RFC 5764 §4.1.3), and we learn
  // the SSRCs only as packets flow, so the policy is a wildcard template.
  policy.ssrc.type = direction == SrtpDirection::kInbound ? ssrc_any_inbound : ssrc_any_outbound;
  policy.key = key;
  policy.window_size = kReplayWindowSize;
  // libsrtp also keeps a replay list on the sending side and refuses to protect the same
  // sequence number twice. We must: a NACK (RFC 4585 §6.2.1) from a receiver without RTX
  // is answered by resending the original packet, with its original sequence number,
  // from the RTX cache. The payload is identical, so the repeated keystream leaks nothing.
  policy.allow_repeat_tx = direction == SrtpDirection::kOutbound ? 1 : 0;
  policy.next = nullptr;

  srtp_t session = nullptr;
  srtp_err_status_t status = srtp_create(&session, &policy);
  std::memset(key, 0, sizeof key);
  if (status != srtp_err_status_ok) {
    return fail(toSrtpError(status) == SrtpError::kUnknown ? SrtpError::kInitFailed : toSrtpError(status));
  }
  return std::unique_ptr<SrtpSession>(new SrtpSession(direction, profile, session));
}

SrtpSession::~SrtpSession() { srtp_dealloc(session_); }

Result<size_t, SrtpError> SrtpSession::protectRtp(uint8_t* data, size_t len, size_t capacity) {
  if (direction_ != SrtpDirection::kOutbound) {
    return fail(SrtpError::kWrongDirection);
  }
  if (len < kRtpFixedHeaderLength || len > INT_MAX / 2) {
    return fail(SrtpError::kBadPacket);
  }
  // srtp_protect writes the trailer past len without knowing the buffer size.
  if (capacity < len + srtpProfileSpec(profile_).rtpTrailerLength) {
    return fail(SrtpError::kNoRoom);
  }
  int length = static_cast<int>(len);
  srtp_err_status_t status = srtp_protect(session_, data, &length);
  if (status != srtp_err_status_ok) {
    return fail(toSrtpError(status));
  }
  return static_cast<size_t>(length);
}

Result<size_t, SrtpError> SrtpSession::unprotectRtp(uint8_t* data, size_t len) {
  if (direction_ != SrtpDirection::kInbound) {
    return fail(SrtpError::kWrongDirection);
  }
  if (len < kRtpFixedHeaderLength + srtpProfileSpec(profile_).rtpTrailerLength || len > INT_MAX / 2) {
    return fail(SrtpError::kBadPacket);
  }
  int length = static_cast<int>(len);
  srtp_err_status_t status = srtp_unprotect(session_, data, &length);
  if (status != srtp_err_status_ok) {
    return fail(toSrtpError(status));
  }
  return static_cast<size_t>(length);
}

Result<size_t, SrtpError> SrtpSession::protectRtcp(uint8_t* data, size_t len, size_t capacity) {
  if (direction_ != SrtpDirection::kOutbound) {
    return fail(SrtpError::kWrongDirection);
  }
  if (len < kRtcpMinimumLength || len > INT_MAX / 2) {
    return fail(SrtpError::kBadPacket);
  }
  if (capacity < len + srtpProfileSpec(profile_).rtcpTrailerLength) {
    return fail(SrtpError::kNoRoom);
  }
  int length = static_cast<int>(len);
  srtp_err_status_t status = srtp_protect_rtcp(session_, data, &length);
  if (status != srtp_err_status_ok) {
    return fail(toSrtpError(status));
  }
  return static_cast<size_t>(length);
}

Result<size_t, SrtpError> SrtpSession::unprotectRtcp(uint8_t* data, size_t len) {
  if (direction_ != SrtpDirection::kInbound) {
    return fail(SrtpError::kWrongDirection);
  }
  if (len < kRtcpMinimumLength + srtpProfileSpec(profile_).rtcpTrailerLength || len > INT_MAX / 2) {
    return fail(SrtpError::kBadPacket);
  }
  int length = static_cast<int>(len);
  srtp_err_status_t status = srtp_unprotect_rtcp(session_, data, &length);
  if (status != srtp_err_status_ok) {
    return fail(toSrtpError(status));
  }
  return static_cast<size_t>(length);
}

}  // namespace medrtc::srtp
