#include "signaling/message/e2ee_payload.hpp"

#include <array>

namespace medrtc::signaling {

namespace {

// RFC 4648 §5 alphabet; -1 for anything else.
constexpr std::array<int8_t, 256> kValues = [] {
  std::array<int8_t, 256> v{};
  v.fill(-1);
  const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  for (int i = 0; i < 64; ++i) {
    v[static_cast<uint8_t>(alphabet[i])] = static_cast<int8_t>(i);
  }
  return v;
}();

}  // namespace

std::optional<std::vector<uint8_t>> decodeBase64Url(std::string_view text) {
  // 4n+1 characters would carry 6 bits of a byte: no encoder writes that.
  if (text.size() % 4 == 1) {
    return std::nullopt;
  }
  std::vector<uint8_t> out;
  out.reserve(text.size() * 3 / 4);
  uint32_t bits = 0;
  int count = 0;
  for (char ch : text) {
    int8_t v = kValues[static_cast<uint8_t>(ch)];
    if (v < 0) {
      return std::nullopt;
    }
    bits = (bits << 6) | static_cast<uint32_t>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<uint8_t>(bits >> count));
      bits &= (1u << count) - 1;
    }
  }
  // RFC 4648 §3.5: the pad bits are zero in a canonical encoding.
  if (bits != 0) {
    return std::nullopt;
  }
  return out;
}

bool isP256PublicKey(std::string_view text) {
  auto bytes = decodeBase64Url(text);
  return bytes && bytes->size() == kP256PublicKeyBytes && (*bytes)[0] == 0x04;
}

bool isCiphertext(std::string_view text, size_t maxBytes) {
  // Cheap bound first: a frame of 64 KiB is not decoded to learn that it is too long.
  if (text.empty() || text.size() > (maxBytes * 4 + 2) / 3) {
    return false;
  }
  auto bytes = decodeBase64Url(text);
  return bytes && !bytes->empty() && bytes->size() <= maxBytes;
}

}  // namespace medrtc::signaling
