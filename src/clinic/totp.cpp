#include "clinic/totp.hpp"

#include <sodium.h>

#include <array>
#include <cctype>
#include <stdexcept>

#include "common/hex.hpp"
#include "common/hmac_sha1.hpp"
#include "common/random.hpp"

namespace medrtc::clinic {

namespace {

constexpr std::string_view kBase32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
constexpr uint32_t kPow10[] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};

std::string percentEncode(std::string_view s) {
  std::string out;
  for (unsigned char ch : s) {
    bool unreserved = std::isalnum(ch) || ch == '-' || ch == '.' || ch == '_' || ch == '~' || ch == '@';
    if (unreserved) {
      out += static_cast<char>(ch);
    } else {
      out += '%';
      appendHex(out, ch, HexCase::kUpper);
    }
  }
  return out;
}

}  // namespace

std::string hotp(std::span<const uint8_t> key, uint64_t counter, int digits) {
  if (digits < 6 || digits > 8) {
    throw std::invalid_argument("HOTP digits must be 6 to 8");
  }
  std::array<uint8_t, 8> message{};
  for (int i = 7; i >= 0; --i) {
    message[static_cast<size_t>(i)] = static_cast<uint8_t>(counter & 0xff);
    counter >>= 8;
  }
  const auto mac = hmacSha1(ByteView(key), {ByteView(message)});
  // RFC 4226 §5.3: offset from the low 4 bits of the last byte; 31-bit big-endian value.
  size_t offset = mac[19] & 0x0f;
  uint32_t binary = (static_cast<uint32_t>(mac[offset] & 0x7f) << 24) | (static_cast<uint32_t>(mac[offset + 1]) << 16) |
                    (static_cast<uint32_t>(mac[offset + 2]) << 8) | static_cast<uint32_t>(mac[offset + 3]);
  std::string code = std::to_string(binary % kPow10[digits]);
  return std::string(static_cast<size_t>(digits) - code.size(), '0') + code;
}

std::string totpAt(std::span<const uint8_t> key, int64_t unixTime, const TotpParams& params) {
  int64_t t = (unixTime - params.t0) / params.stepSeconds;
  return hotp(key, static_cast<uint64_t>(t), params.digits);
}

std::optional<int64_t> verifyTotp(std::span<const uint8_t> key, std::string_view code, int64_t unixTime,
                                  const TotpParams& params) {
  if (code.size() != static_cast<size_t>(params.digits) || key.empty()) {
    return std::nullopt;
  }
  int64_t now = (unixTime - params.t0) / params.stepSeconds;
  std::optional<int64_t> matched;
  // Every candidate is computed and compared, so the time taken does not say which one matched.
  for (int64_t t = now - params.window; t <= now + params.window; ++t) {
    if (t < 0) {
      continue;
    }
    std::string expected = hotp(key, static_cast<uint64_t>(t), params.digits);
    if (sodium_memcmp(expected.data(), code.data(), code.size()) == 0 && !matched) {
      matched = t;
    }
  }
  return matched;
}

std::vector<uint8_t> newTotpSecret() {
  std::vector<uint8_t> secret(20);
  fillRandom(secret);
  return secret;
}

std::string base32Encode(std::span<const uint8_t> data) {
  std::string out;
  uint32_t buffer = 0;
  int bits = 0;
  for (uint8_t byte : data) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += kBase32[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) {
    out += kBase32[(buffer << (5 - bits)) & 31];
  }
  return out;
}

std::optional<std::vector<uint8_t>> base32Decode(std::string_view text) {
  std::vector<uint8_t> out;
  uint32_t buffer = 0;
  int bits = 0;
  for (char raw : text) {
    if (raw == ' ' || raw == '=') {
      continue;
    }
    char ch = static_cast<char>(std::toupper(static_cast<unsigned char>(raw)));
    size_t v = kBase32.find(ch);
    if (v == std::string_view::npos) {
      return std::nullopt;
    }
    buffer = (buffer << 5) | static_cast<uint32_t>(v);
    bits += 5;
    if (bits >= 8) {
      out.push_back(static_cast<uint8_t>((buffer >> (bits - 8)) & 0xff));
      bits -= 8;
    }
  }
  return out;
}

std::string otpauthUri(std::string_view issuer, std::string_view account, std::string_view base32Secret) {
  return "otpauth://totp/" + percentEncode(issuer) + ":" + percentEncode(account) + "?secret=" +
         std::string(base32Secret) + "&issuer=" + percentEncode(issuer) + "&algorithm=SHA1&digits=6&period=30";
}

}  // namespace medrtc::clinic
