#include "common/ip_prefix.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace medrtc {

namespace {

struct ParsedAddress {
  std::array<uint8_t, 16> bytes{};
  bool ipv4 = false;
};

std::optional<ParsedAddress> parseAddress(std::string_view text) {
  if (text.empty() || text.size() >= INET6_ADDRSTRLEN) {
    return std::nullopt;
  }
  std::string s(text);
  ParsedAddress out;
  in_addr v4{};
  if (::inet_pton(AF_INET, s.c_str(), &v4) == 1) {
    out.ipv4 = true;
    std::memcpy(out.bytes.data(), &v4, 4);
    return out;
  }
  in6_addr v6{};
  if (::inet_pton(AF_INET6, s.c_str(), &v6) != 1) {
    return std::nullopt;
  }
  static constexpr uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (std::memcmp(v6.s6_addr, kMapped, 12) == 0) {
    out.ipv4 = true;
    std::memcpy(out.bytes.data(), v6.s6_addr + 12, 4);
    return out;
  }
  std::memcpy(out.bytes.data(), v6.s6_addr, 16);
  return out;
}

bool samePrefix(const std::array<uint8_t, 16>& a, const std::array<uint8_t, 16>& b, int bits) {
  int whole = bits / 8;
  if (std::memcmp(a.data(), b.data(), static_cast<size_t>(whole)) != 0) {
    return false;
  }
  int rest = bits % 8;
  if (rest == 0) {
    return true;
  }
  uint8_t mask = static_cast<uint8_t>(0xff << (8 - rest));
  return (a[whole] & mask) == (b[whole] & mask);
}

}  // namespace

std::optional<IpPrefix> IpPrefix::parse(std::string_view text) {
  std::string_view address = text;
  std::optional<int> length;
  if (size_t slash = text.find('/'); slash != std::string_view::npos) {
    address = text.substr(0, slash);
    std::string_view bits = text.substr(slash + 1);
    int n = -1;
    auto [end, ec] = std::from_chars(bits.data(), bits.data() + bits.size(), n);
    if (ec != std::errc() || end != bits.data() + bits.size() || bits.empty()) {
      return std::nullopt;
    }
    length = n;
  }
  auto parsed = parseAddress(address);
  if (!parsed) {
    return std::nullopt;
  }
  IpPrefix p;
  p.bytes_ = parsed->bytes;
  p.ipv4_ = parsed->ipv4;
  int max = p.ipv4_ ? 32 : 128;
  p.length_ = length.value_or(max);
  if (p.length_ < 0 || p.length_ > max) {
    return std::nullopt;
  }
  return p;
}

bool IpPrefix::contains(std::string_view address) const {
  auto parsed = parseAddress(address);
  return parsed && parsed->ipv4 == ipv4_ && samePrefix(parsed->bytes, bytes_, length_);
}

std::string limitSourceKey(std::string_view address) {
  auto parsed = parseAddress(address);
  if (!parsed) {
    return std::string(address);
  }
  char text[INET6_ADDRSTRLEN] = {};
  if (parsed->ipv4) {
    ::inet_ntop(AF_INET, parsed->bytes.data(), text, sizeof text);
    return text;
  }
  in6_addr net{};
  std::memcpy(net.s6_addr, parsed->bytes.data(), 8);  // the /64; the interface id is zero
  ::inet_ntop(AF_INET6, &net, text, sizeof text);
  return std::string(text) + "/64";
}

}  // namespace medrtc
