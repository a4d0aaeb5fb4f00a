#include "srtp/crypto_self_test.hpp"

#include <cstring>
#include <vector>

#include "srtp/srtp_kdf.hpp"
#include "srtp/srtp_session.hpp"

namespace medrtc::srtp {
namespace {

std::vector<uint8_t> fromHex(std::string_view hex) {
  std::vector<uint8_t> out;
  auto nibble = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<uint8_t>(nibble(hex[i]) << 4 | nibble(hex[i + 1])));
  }
  return out;
}

constexpr SrtpKnownAnswer kBuiltin[] = {
    {"AES-128-CTR and HMAC-SHA1 (AES_CM_128_HMAC_SHA1_80, RFC 3711 key derivation)", SrtpProfile::kAes128CmSha1_80,
     true, "e1f97a0d3e018be0d64fa32c06de4139" "0ec675ad498afeebb6960b3aabe6",
     "800f1234decafbadcafebabe" "abababababababababababababababab",
     "800f1234decafbadcafebabe" "4e55dc4ce79978d88ca4d215949d2402" "b78d6acc99ea179b8dbb"},
    {"AES-128-GCM (AEAD_AES_128_GCM, RFC 7714 §16.1.1)", SrtpProfile::kAeadAes128Gcm, false,
     "000102030405060708090a0b0c0d0e0f" "517569642070726f2071756f",
     "8040f17b8041f8d35501a0b247616c6c696120657374206f6d6e697320646976" "69736120696e20706172746573207472" "6573",
     "8040f17b8041f8d35501a0b2f24de3a3fb34de6cacba861c9d7e4bcabe633bd5" "0d294e6f42a5f47a51c7d19b36de3adf"
     "8833899d7f27beb16a9152cf765ee439" "0cce"},
    {"AES-256-GCM (AEAD_AES_256_GCM, RFC 7714 §16.2.1)", SrtpProfile::kAeadAes256Gcm, false,
     "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f" "517569642070726f2071756f",
     "8040f17b8041f8d35501a0b247616c6c696120657374206f6d6e697320646976" "69736120696e20706172746573207472" "6573",
     "8040f17b8041f8d35501a0b232b1de78a822fe12ef9f78fa332e33aab1801238" "9a58e2f3b50b2a0276ffae0f1ba63799"
     "b87b7aa3db36dfffd6b0f9bb7878d7a7" "6c13"},
};

Result<std::unique_ptr<SrtpSession>, SrtpError> sessionFor(const SrtpKnownAnswer& answer, SrtpDirection direction) {
  auto key = fromHex(answer.keyHex);
  if (answer.fromMasterKey) {
    return SrtpSession::create(direction, answer.profile, key);
  }
  const auto& spec = srtpProfileSpec(answer.profile);
  if (key.size() != spec.keySaltLength()) {
    return fail(SrtpError::kBadKeyLength);
  }
  SrtpSessionKeys keys;
  keys.profile = answer.profile;
  std::memcpy(keys.rtpKey.data(), key.data(), spec.masterKeyLength);
  std::memcpy(keys.rtpSalt.data(), key.data() + spec.masterKeyLength, spec.masterSaltLength);
  keys.rtcpKey = keys.rtpKey;
  keys.rtcpSalt = keys.rtpSalt;
  return SrtpSession::createFromSessionKeys(direction, keys);
}

std::optional<std::string> check(const SrtpKnownAnswer& answer) {
  auto sender = sessionFor(answer, SrtpDirection::kOutbound);
  auto receiver = sessionFor(answer, SrtpDirection::kInbound);
  if (!sender.ok() || !receiver.ok()) {
    return std::string("cannot set up ") + std::string(answer.name) + ": " +
           std::string(toString(sender.ok() ? receiver.error() : sender.error()));
  }
  auto plain = fromHex(answer.plainHex);
  auto expected = fromHex(answer.protectedHex);
  std::vector<uint8_t> packet(plain);
  packet.resize(plain.size() + kSrtpMaxRtpTrailer);
  auto protectedLength = (*sender)->protectRtp(packet.data(), plain.size(), packet.size());
  if (!protectedLength.ok() || *protectedLength != expected.size() ||
      std::memcmp(packet.data(), expected.data(), expected.size()) != 0) {
    return std::string(answer.name) + " gives wrong output";
  }
  auto plainLength = (*receiver)->unprotectRtp(packet.data(), *protectedLength);
  if (!plainLength.ok() || *plainLength != plain.size() || std::memcmp(packet.data(), plain.data(), plain.size()) != 0) {
    return std::string(answer.name) + " does not decrypt its own output";
  }
  return std::nullopt;
}

}  // namespace

std::span<const SrtpKnownAnswer> builtinSrtpKnownAnswers() { return kBuiltin; }

std::optional<std::string> runSrtpKnownAnswers(std::span<const SrtpKnownAnswer> answers) {
  for (const auto& answer : answers) {
    if (auto problem = check(answer)) {
      return problem;
    }
  }
  return std::nullopt;
}

}  // namespace medrtc::srtp
