#include "srtp/srtp_session.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <climits>
#include <cstring>

namespace medrtc::srtp {
namespace {

constexpr size_t kRtpFixedHeaderLength = 12;  // RFC 3550 §5.1
constexpr size_t kRtcpHeaderLength = 8;       // RFC 3550 §6.4.1: header + sender SSRC
constexpr size_t kSrtcpIndexLength = 4;       // E flag + 31-bit SRTCP index (RFC 3711 §3.4)
constexpr size_t kHmacTagLength = 10;         // HMAC_SHA1_80
constexpr size_t kGcmTagLength = 16;          // RFC 7714 §7.2
constexpr uint32_t kSrtcpIndexMax = 0x7fffffff;
constexpr uint32_t kSrtcpEncryptedFlag = 0x80000000;
// Packets larger than this are not RTP over UDP; the bound keeps every length an int for EVP.
constexpr size_t kMaxPacketLength = 1 << 16;

// Length of the RTP header with CSRCs and the header extension (RFC 3550 §5.1, §5.3.1),
// or 0 when it does not fit in the first `limit` bytes.
size_t rtpHeaderLength(const uint8_t* data, size_t limit) {
  size_t length = kRtpFixedHeaderLength + 4 * size_t{data[0] & 0x0fu};
  if (data[0] & 0x10u) {
    if (length + 4 > limit) {
      return 0;
    }
    length += 4 + 4 * size_t{readU16(data + length + 2)};
  }
  return length <= limit ? length : 0;
}

// RFC 3711 §3.3.1 / Appendix A: the index of sequence number seq, guessed from the highest
// index seen. Like libsrtp, a stream whose highest index is still in the first half of
// ROC 0 takes seq as it is, so the first packets never guess ROC -1.
uint64_t estimateIndex(uint64_t highest, uint16_t seq) {
  constexpr uint32_t kMedian = 1u << 15;
  if (highest <= kMedian) {
    return seq;
  }
  const uint32_t roc = static_cast<uint32_t>(highest >> 16);
  const uint32_t localSeq = static_cast<uint16_t>(highest);
  uint32_t guessRoc = roc;
  if (localSeq < kMedian) {
    if (seq > localSeq + kMedian) {
      guessRoc = roc - 1;  // roc >= 1 here: highest > kMedian with localSeq < kMedian
    }
  } else if (localSeq - kMedian > seq) {
    guessRoc = roc + 1;
  }
  return (uint64_t{guessRoc} << 16) | seq;
}

// RFC 3711 §4.1.1: IV = (k_s * 2^16) XOR (SSRC * 2^64) XOR (i * 2^16), i the 48-bit RTP
// index or the 31-bit SRTCP index.
void aesCmIv(const uint8_t* salt, uint32_t ssrc, uint64_t index, uint8_t iv[16]) {
  std::memcpy(iv, salt, 14);
  iv[14] = 0;
  iv[15] = 0;
  for (int i = 0; i < 4; ++i) {
    iv[4 + i] ^= static_cast<uint8_t>(ssrc >> (24 - 8 * i));
  }
  for (int i = 0; i < 6; ++i) {
    iv[8 + i] ^= static_cast<uint8_t>(index >> (40 - 8 * i));
  }
}

// RFC 7714 §8.1: IV = (00 00 || SSRC || ROC || SEQ) XOR salt; §9.1 for SRTCP:
// (00 00 || SSRC || 00 00 || 0 || SRTCP index) XOR salt. Both are ssrc || 48-bit value.
void gcmIv(const uint8_t* salt, uint32_t ssrc, uint64_t index48, uint8_t iv[12]) {
  std::memcpy(iv, salt, 12);
  for (int i = 0; i < 4; ++i) {
    iv[2 + i] ^= static_cast<uint8_t>(ssrc >> (24 - 8 * i));
  }
  for (int i = 0; i < 6; ++i) {
    iv[6 + i] ^= static_cast<uint8_t>(index48 >> (40 - 8 * i));
  }
}

const EVP_CIPHER* cipherFor(SrtpProfile profile) {
  switch (profile) {
    case SrtpProfile::kAeadAes128Gcm:
      return EVP_aes_128_gcm();
    case SrtpProfile::kAeadAes256Gcm:
      return EVP_aes_256_gcm();
    case SrtpProfile::kAes128CmSha1_80:
      return EVP_aes_128_ctr();
  }
  return nullptr;
}

}  // namespace

SrtpSession::SrtpSession(SrtpDirection direction, SrtpProfile profile)
    : direction_(direction), profile_(profile), aead_(profile != SrtpProfile::kAes128CmSha1_80) {}

SrtpSession::~SrtpSession() {
  EVP_CIPHER_CTX_free(rtpCipher_);
  EVP_CIPHER_CTX_free(rtcpCipher_);
  OPENSSL_cleanse(rtpSalt_, sizeof rtpSalt_);
  OPENSSL_cleanse(rtcpSalt_, sizeof rtcpSalt_);
}

Result<std::unique_ptr<SrtpSession>, SrtpError> SrtpSession::create(SrtpDirection direction, SrtpProfile profile,
                                                                     ByteView keyAndSalt) {
  if (keyAndSalt.size() != srtpProfileSpec(profile).keySaltLength()) {
    return fail(SrtpError::kBadKeyLength);
  }
  auto keys = deriveSrtpSessionKeys(profile, keyAndSalt);
  if (!keys) {
    return fail(SrtpError::kInitFailed);
  }
  return createFromSessionKeys(direction, *keys);
}

Result<std::unique_ptr<SrtpSession>, SrtpError> SrtpSession::createFromSessionKeys(SrtpDirection direction,
                                                                                   const SrtpSessionKeys& keys) {
  std::unique_ptr<SrtpSession> session(new SrtpSession(direction, keys.profile));
  if (!session->init(keys)) {
    return fail(SrtpError::kInitFailed);
  }
  return session;
}

bool SrtpSession::init(const SrtpSessionKeys& keys) {
  const auto& spec = srtpProfileSpec(profile_);
  saltLength_ = spec.masterSaltLength;
  std::memcpy(rtpSalt_, keys.rtpSalt.data(), saltLength_);
  std::memcpy(rtcpSalt_, keys.rtcpSalt.data(), saltLength_);
  // AES-CM encrypts and decrypts alike; GCM's context is set up for the one way this
  // session's direction needs, so each packet only sets the IV.
  const int encrypt = !aead_ || direction_ == SrtpDirection::kOutbound ? 1 : 0;
  const EVP_CIPHER* cipher = cipherFor(profile_);
  rtpCipher_ = EVP_CIPHER_CTX_new();
  rtcpCipher_ = EVP_CIPHER_CTX_new();
  if (cipher == nullptr || rtpCipher_ == nullptr || rtcpCipher_ == nullptr ||
      EVP_CipherInit_ex(rtpCipher_, cipher, nullptr, keys.rtpKey.data(), nullptr, encrypt) != 1 ||
      EVP_CipherInit_ex(rtcpCipher_, cipher, nullptr, keys.rtcpKey.data(), nullptr, encrypt) != 1) {
    return false;
  }
  if (!aead_) {
    rtpMac_.setKey(keys.rtpAuthKey);
    rtcpMac_.setKey(keys.rtcpAuthKey);
  }
  // A peer sends audio, video and RTX (four SSRCs with simulcast off). Each stream is
  // ≈ 290 bytes (two 1,024-packet replay windows) and every participant has four
  // sessions, so room for 16 cost 18 KiB a participant; growing happens only when a new
  // SSRC appears (a simulcast layer, another publisher), never per packet.
  streams_.reserve(4);
  return true;
}

SrtpSession::Stream* SrtpSession::find(uint32_t ssrc) {
  if (lastStream_ < streams_.size() && streams_[lastStream_].ssrc == ssrc) {
    return &streams_[lastStream_];
  }
  for (size_t i = 0; i < streams_.size(); ++i) {
    if (streams_[i].ssrc == ssrc) {
      lastStream_ = i;
      return &streams_[i];
    }
  }
  return nullptr;
}

SrtpSession::Stream& SrtpSession::findOrAdd(uint32_t ssrc) {
  if (Stream* stream = find(ssrc)) {
    return *stream;
  }
  streams_.push_back(Stream{});
  streams_.back().ssrc = ssrc;
  lastStream_ = streams_.size() - 1;
  return streams_.back();
}

bool SrtpSession::aesCtr(EVP_CIPHER_CTX* ctx, const uint8_t iv[16], uint8_t* data, size_t length) {
  int written = 0;
  // Key stays; only the counter block is set (no re-key, no allocation).
  return EVP_EncryptInit_ex(ctx, nullptr, nullptr, nullptr, iv) == 1 &&
         (length == 0 || EVP_EncryptUpdate(ctx, data, &written, data, static_cast<int>(length)) == 1);
}

bool SrtpSession::gcmSeal(EVP_CIPHER_CTX* ctx, const uint8_t iv[12], const uint8_t* aad, size_t aadLength,
                          const uint8_t* aad2, size_t aad2Length, uint8_t* data, size_t length, uint8_t* tag) {
  int written = 0;
  if (EVP_EncryptInit_ex(ctx, nullptr, nullptr, nullptr, iv) != 1 ||
      EVP_EncryptUpdate(ctx, nullptr, &written, aad, static_cast<int>(aadLength)) != 1 ||
      (aad2Length != 0 && EVP_EncryptUpdate(ctx, nullptr, &written, aad2, static_cast<int>(aad2Length)) != 1) ||
      (length != 0 && EVP_EncryptUpdate(ctx, data, &written, data, static_cast<int>(length)) != 1) ||
      EVP_EncryptFinal_ex(ctx, data + length, &written) != 1) {
    return false;
  }
  return EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, kGcmTagLength, tag) == 1;
}

bool SrtpSession::gcmOpen(EVP_CIPHER_CTX* ctx, const uint8_t iv[12], const uint8_t* aad, size_t aadLength,
                          const uint8_t* aad2, size_t aad2Length, uint8_t* data, size_t length,
                          const uint8_t* tag) {
  int written = 0;
  uint8_t expected[kGcmTagLength];
  std::memcpy(expected, tag, sizeof expected);  // the ctrl takes a non-const pointer
  return EVP_DecryptInit_ex(ctx, nullptr, nullptr, nullptr, iv) == 1 &&
         EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, kGcmTagLength, expected) == 1 &&
         EVP_DecryptUpdate(ctx, nullptr, &written, aad, static_cast<int>(aadLength)) == 1 &&
         (aad2Length == 0 || EVP_DecryptUpdate(ctx, nullptr, &written, aad2, static_cast<int>(aad2Length)) == 1) &&
         (length == 0 || EVP_DecryptUpdate(ctx, data, &written, data, static_cast<int>(length)) == 1) &&
         EVP_DecryptFinal_ex(ctx, data + length, &written) == 1;
}

Result<size_t, SrtpError> SrtpSession::protectRtp(uint8_t* data, size_t len, size_t capacity) {
  if (direction_ != SrtpDirection::kOutbound) {
    return fail(SrtpError::kWrongDirection);
  }
  if (len < kRtpFixedHeaderLength || len > kMaxPacketLength) {
    return fail(SrtpError::kBadPacket);
  }
  const size_t tagLength = aead_ ? kGcmTagLength : kHmacTagLength;
  if (capacity < len + tagLength) {
    return fail(SrtpError::kNoRoom);
  }
  const size_t headerLength = rtpHeaderLength(data, len);
  if (headerLength == 0) {
    return fail(SrtpError::kBadPacket);
  }
  const uint16_t seq = readU16(data + 2);
  const uint32_t ssrc = readU32(data + 8);
  Stream& stream = findOrAdd(ssrc);
  // The sender keeps no replay list: a NACK is answered by sending the original packet
  // again with its sequence number (RFC 4585 §6.2.1), and its index is estimated like any
  // other, so a resend from before a rollover keeps its ROC.
  const uint64_t index = estimateIndex(stream.rtp.highest(), seq);
  stream.rtp.advance(index);
  const uint32_t roc = static_cast<uint32_t>(index >> 16);
  uint8_t* payload = data + headerLength;
  const size_t payloadLength = len - headerLength;
  if (aead_) {
    uint8_t iv[12];
    gcmIv(rtpSalt_, ssrc, (uint64_t{roc} << 16) | seq, iv);
    if (!gcmSeal(rtpCipher_, iv, data, headerLength, nullptr, 0, payload, payloadLength, data + len)) {
      return fail(SrtpError::kCipherFailed);
    }
    return len + kGcmTagLength;
  }
  uint8_t iv[16];
  aesCmIv(rtpSalt_, ssrc, index, iv);
  if (!aesCtr(rtpCipher_, iv, payload, payloadLength)) {
    return fail(SrtpError::kCipherFailed);
  }
  // RFC 3711 §4.2: the tag covers the packet and the ROC, which is not sent.
  uint8_t rocBytes[4];
  writeU32(rocBytes, roc);
  uint8_t digest[kSha1DigestLength];
  HmacSha1::Run mac(rtpMac_);
  mac.update(data, len);
  mac.update(rocBytes, sizeof rocBytes);
  mac.finish(digest);
  std::memcpy(data + len, digest, kHmacTagLength);
  return len + kHmacTagLength;
}

Result<size_t, SrtpError> SrtpSession::unprotectRtp(uint8_t* data, size_t len) {
  if (direction_ != SrtpDirection::kInbound) {
    return fail(SrtpError::kWrongDirection);
  }
  const size_t tagLength = aead_ ? kGcmTagLength : kHmacTagLength;
  if (len < kRtpFixedHeaderLength + tagLength || len > kMaxPacketLength) {
    return fail(SrtpError::kBadPacket);
  }
  const size_t bodyLength = len - tagLength;
  const size_t headerLength = rtpHeaderLength(data, bodyLength);
  if (headerLength == 0) {
    return fail(SrtpError::kBadPacket);
  }
  const uint16_t seq = readU16(data + 2);
  const uint32_t ssrc = readU32(data + 8);
  // An SSRC gets state only once a packet of it authenticates, so forged packets with
  // random SSRCs cannot grow the table.
  Stream* stream = find(ssrc);
  const uint64_t index = estimateIndex(stream ? stream->rtp.highest() : 0, seq);
  if (stream) {
    switch (stream->rtp.check(index)) {
      case ReplayCheck::kFresh:
        break;
      case ReplayCheck::kSeen:
        return fail(SrtpError::kReplay);
      case ReplayCheck::kTooOld:
        return fail(SrtpError::kReplayTooOld);
    }
  }
  const uint32_t roc = static_cast<uint32_t>(index >> 16);
  uint8_t* payload = data + headerLength;
  const size_t payloadLength = bodyLength - headerLength;
  if (aead_) {
    uint8_t iv[12];
    gcmIv(rtpSalt_, ssrc, (uint64_t{roc} << 16) | seq, iv);
    if (!gcmOpen(rtpCipher_, iv, data, headerLength, nullptr, 0, payload, payloadLength, data + bodyLength)) {
      return fail(SrtpError::kAuthFailed);
    }
  } else {
    uint8_t rocBytes[4];
    writeU32(rocBytes, roc);
    uint8_t digest[kSha1DigestLength];
    HmacSha1::Run mac(rtpMac_);
    mac.update(data, bodyLength);
    mac.update(rocBytes, sizeof rocBytes);
    mac.finish(digest);
    if (CRYPTO_memcmp(digest, data + bodyLength, kHmacTagLength) != 0) {
      return fail(SrtpError::kAuthFailed);
    }
    uint8_t iv[16];
    aesCmIv(rtpSalt_, ssrc, index, iv);
    if (!aesCtr(rtpCipher_, iv, payload, payloadLength)) {
      return fail(SrtpError::kCipherFailed);
    }
  }
  (stream ? *stream : findOrAdd(ssrc)).rtp.accept(index);
  return bodyLength;
}

Result<size_t, SrtpError> SrtpSession::protectRtcp(uint8_t* data, size_t len, size_t capacity) {
  if (direction_ != SrtpDirection::kOutbound) {
    return fail(SrtpError::kWrongDirection);
  }
  if (len < kRtcpHeaderLength || len > kMaxPacketLength) {
    return fail(SrtpError::kBadPacket);
  }
  const size_t tagLength = aead_ ? kGcmTagLength : kHmacTagLength;
  if (capacity < len + kSrtcpIndexLength + tagLength) {
    return fail(SrtpError::kNoRoom);
  }
  const uint32_t ssrc = readU32(data + 4);
  Stream& stream = findOrAdd(ssrc);
  if (stream.rtcpSent >= kSrtcpIndexMax) {
    return fail(SrtpError::kKeyExpired);  // RFC 3711 §9.2: 2^31 SRTCP packets per key
  }
  const uint32_t index = ++stream.rtcpSent;  // the first SRTCP packet has index 1, as libsrtp's
  uint8_t eIndex[kSrtcpIndexLength];
  writeU32(eIndex, kSrtcpEncryptedFlag | index);
  uint8_t* body = data + kRtcpHeaderLength;
  const size_t bodyLength = len - kRtcpHeaderLength;
  if (aead_) {
    // RFC 7714 §9: AAD = first 8 bytes || E || index; the tag follows the ciphertext and
    // the E || index word comes last.
    uint8_t iv[12];
    gcmIv(rtcpSalt_, ssrc, index, iv);
    if (!gcmSeal(rtcpCipher_, iv, data, kRtcpHeaderLength, eIndex, sizeof eIndex, body, bodyLength, data + len)) {
      return fail(SrtpError::kCipherFailed);
    }
    std::memcpy(data + len + kGcmTagLength, eIndex, sizeof eIndex);
    return len + kGcmTagLength + kSrtcpIndexLength;
  }
  uint8_t iv[16];
  aesCmIv(rtcpSalt_, ssrc, index, iv);
  if (!aesCtr(rtcpCipher_, iv, body, bodyLength)) {
    return fail(SrtpError::kCipherFailed);
  }
  // RFC 3711 §3.4: E || index follows the packet and is covered by the tag after it.
  std::memcpy(data + len, eIndex, sizeof eIndex);
  uint8_t digest[kSha1DigestLength];
  HmacSha1::Run mac(rtcpMac_);
  mac.update(data, len + kSrtcpIndexLength);
  mac.finish(digest);
  std::memcpy(data + len + kSrtcpIndexLength, digest, kHmacTagLength);
  return len + kSrtcpIndexLength + kHmacTagLength;
}

Result<size_t, SrtpError> SrtpSession::unprotectRtcp(uint8_t* data, size_t len) {
  if (direction_ != SrtpDirection::kInbound) {
    return fail(SrtpError::kWrongDirection);
  }
  const size_t tagLength = aead_ ? kGcmTagLength : kHmacTagLength;
  if (len < kRtcpHeaderLength + kSrtcpIndexLength + tagLength || len > kMaxPacketLength) {
    return fail(SrtpError::kBadPacket);
  }
  const size_t rtcpLength = len - kSrtcpIndexLength - tagLength;
  // GCM: ciphertext | tag | E+index; AES-CM: ciphertext | E+index | tag.
  const uint8_t* eIndex = aead_ ? data + len - kSrtcpIndexLength : data + rtcpLength;
  const uint8_t* tag = aead_ ? data + rtcpLength : data + len - kHmacTagLength;
  const uint32_t eIndexWord = readU32(eIndex);
  const bool encrypted = (eIndexWord & kSrtcpEncryptedFlag) != 0;
  const uint32_t index = eIndexWord & kSrtcpIndexMax;
  const uint32_t ssrc = readU32(data + 4);
  Stream* stream = find(ssrc);
  if (stream) {
    switch (stream->rtcp.check(index)) {
      case ReplayCheck::kFresh:
        break;
      case ReplayCheck::kSeen:
        return fail(SrtpError::kReplay);
      case ReplayCheck::kTooOld:
        return fail(SrtpError::kReplayTooOld);
    }
  }
  uint8_t* body = data + kRtcpHeaderLength;
  const size_t bodyLength = rtcpLength - kRtcpHeaderLength;
  if (aead_) {
    uint8_t iv[12];
    gcmIv(rtcpSalt_, ssrc, index, iv);
    uint8_t eIndexCopy[kSrtcpIndexLength];
    std::memcpy(eIndexCopy, eIndex, sizeof eIndexCopy);
    // RFC 7714 §9.2 / §17.3: with E clear the whole packet is associated data.
    const bool ok = encrypted ? gcmOpen(rtcpCipher_, iv, data, kRtcpHeaderLength, eIndexCopy, sizeof eIndexCopy,
                                        body, bodyLength, tag)
                              : gcmOpen(rtcpCipher_, iv, data, rtcpLength, eIndexCopy, sizeof eIndexCopy, body, 0,
                                        tag);
    if (!ok) {
      return fail(SrtpError::kAuthFailed);
    }
  } else {
    uint8_t digest[kSha1DigestLength];
    HmacSha1::Run mac(rtcpMac_);
    mac.update(data, rtcpLength + kSrtcpIndexLength);
    mac.finish(digest);
    if (CRYPTO_memcmp(digest, tag, kHmacTagLength) != 0) {
      return fail(SrtpError::kAuthFailed);
    }
    if (encrypted) {
      uint8_t iv[16];
      aesCmIv(rtcpSalt_, ssrc, index, iv);
      if (!aesCtr(rtcpCipher_, iv, body, bodyLength)) {
        return fail(SrtpError::kCipherFailed);
      }
    }
  }
  (stream ? *stream : findOrAdd(ssrc)).rtcp.accept(index);
  return rtcpLength;
}

}  // namespace medrtc::srtp
