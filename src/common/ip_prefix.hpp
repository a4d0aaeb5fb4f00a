#pragma once
// IP address prefixes ("10.0.0.0/8", "2001:db8::/32", or one address): the trusted-proxy
// list and the IPv6 /64 that sign-in limits count as one source.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace medrtc {

class IpPrefix {
 public:
  // "a.b.c.d[/n]" or an IPv6 literal "[/n]"; nullopt when it is neither. An IPv4-mapped
  // IPv6 address (::ffff:a.b.c.d) is read as the IPv4 address it carries.
  static std::optional<IpPrefix> parse(std::string_view text);

  // True when `address` (a literal, as above) lies inside this prefix.
  bool contains(std::string_view address) const;

  bool ipv4() const { return ipv4_; }
  int length() const { return length_; }

 private:
  std::array<uint8_t, 16> bytes_{};
  bool ipv4_ = false;
  int length_ = 0;
};

// The key a per-address limit counts under: an IPv4 address as it is; an IPv6 address as
// its /64, because one subscriber is routinely given a whole /64 (RFC 6177 §3) and could
// otherwise rotate through 2^64 addresses. Text that is not an address comes back as it is.
std::string limitSourceKey(std::string_view address);

}  // namespace medrtc
