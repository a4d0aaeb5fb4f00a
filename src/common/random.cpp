#include "common/random.hpp"

#include <sys/random.h>

#include <stdexcept>

namespace medrtc {

void fillRandom(std::span<uint8_t> out) {
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = getrandom(out.data() + done, out.size() - done, 0);
    if (n < 0) {
      throw std::runtime_error("getrandom failed");
    }
    done += static_cast<size_t>(n);
  }
}

uint32_t randomU32() {
  uint32_t v;
  fillRandom({reinterpret_cast<uint8_t*>(&v), sizeof v});
  return v;
}

uint64_t randomU64() {
  uint64_t v;
  fillRandom({reinterpret_cast<uint8_t*>(&v), sizeof v});
  return v;
}

std::string randomIceString(size_t length) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string s(length, '\0');
  std::basic_string<uint8_t> raw(length, 0);
  fillRandom({raw.data(), raw.size()});
  for (size_t i = 0; i < length; ++i) {
    s[i] = kAlphabet[raw[i] & 63];
  }
  return s;
}

std::string randomHex(size_t bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::basic_string<uint8_t> raw(bytes, 0);
  fillRandom({raw.data(), raw.size()});
  std::string s;
  s.reserve(bytes * 2);
  for (uint8_t b : raw) {
    s.push_back(kHex[b >> 4]);
    s.push_back(kHex[b & 15]);
  }
  return s;
}

}  // namespace medrtc
