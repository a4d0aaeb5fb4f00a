#include "srtp/srtp_kdf.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <algorithm>
#include <memory>

namespace medrtc::srtp {
namespace {

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};

}  // namespace

SrtpSessionKeys::~SrtpSessionKeys() { OPENSSL_cleanse(this, sizeof *this); }

bool srtpPrf(ByteView masterKey, ByteView masterSalt, SrtpKdfLabel label, MutableByteView out) {
  const EVP_CIPHER* cipher = masterKey.size() == 16   ? EVP_aes_128_ctr()
                             : masterKey.size() == 32 ? EVP_aes_256_ctr()
                                                      : nullptr;
  if (cipher == nullptr || masterSalt.size() > kSrtpMaxMasterSaltLength || out.size() > 4096) {
    return false;
  }
  // x = key_id XOR master_salt, key_id = label || r with r = index DIV kdr = 0 (KDR 0):
  // the label lands in byte 7 of the 112-bit salt. The IV is x * 2^16 (two zero bytes).
  uint8_t iv[16] = {};
  for (size_t i = 0; i < masterSalt.size(); ++i) {
    iv[i] = masterSalt[i];
  }
  iv[7] ^= static_cast<uint8_t>(label);
  std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree> ctx(EVP_CIPHER_CTX_new());
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), cipher, nullptr, masterKey.data(), iv) != 1) {
    return false;
  }
  // The keystream is the encryption of zeros.
  std::fill(out.begin(), out.end(), uint8_t{0});
  int written = 0;
  return EVP_EncryptUpdate(ctx.get(), out.data(), &written, out.data(), static_cast<int>(out.size())) == 1 &&
         static_cast<size_t>(written) == out.size();
}

std::optional<SrtpSessionKeys> deriveSrtpSessionKeys(SrtpProfile profile, ByteView keyAndSalt) {
  const auto& spec = srtpProfileSpec(profile);
  if (keyAndSalt.size() != spec.keySaltLength()) {
    return std::nullopt;
  }
  ByteView masterKey = keyAndSalt.first(spec.masterKeyLength);
  ByteView masterSalt = keyAndSalt.subspan(spec.masterKeyLength);
  const bool aead = profile != SrtpProfile::kAes128CmSha1_80;
  SrtpSessionKeys keys;
  keys.profile = profile;
  auto key = [&](auto& array, size_t length) { return MutableByteView(array.data(), length); };
  bool ok = srtpPrf(masterKey, masterSalt, SrtpKdfLabel::kRtpEncryption, key(keys.rtpKey, spec.masterKeyLength)) &&
            srtpPrf(masterKey, masterSalt, SrtpKdfLabel::kRtpSalt, key(keys.rtpSalt, spec.masterSaltLength)) &&
            srtpPrf(masterKey, masterSalt, SrtpKdfLabel::kRtcpEncryption, key(keys.rtcpKey, spec.masterKeyLength)) &&
            srtpPrf(masterKey, masterSalt, SrtpKdfLabel::kRtcpSalt, key(keys.rtcpSalt, spec.masterSaltLength));
  if (ok && !aead) {  // RFC 7714 §11: AEAD profiles derive no authentication keys.
    ok = srtpPrf(masterKey, masterSalt, SrtpKdfLabel::kRtpAuthentication, keys.rtpAuthKey) &&
         srtpPrf(masterKey, masterSalt, SrtpKdfLabel::kRtcpAuthentication, keys.rtcpAuthKey);
  }
  if (!ok) {
    return std::nullopt;
  }
  return keys;
}

}  // namespace medrtc::srtp
