#pragma once
// An IPv4 or IPv6 UDP/TCP endpoint, stored as sockaddr_storage so it goes straight into
// sendmmsg/recvmmsg. Comparable and hashable: it keys the 5-tuple → transport map.
#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace medrtc {

class SocketAddress {
 public:
  SocketAddress() { std::memset(&storage_, 0, sizeof storage_); }
  static SocketAddress fromSockaddr(const sockaddr* sa, socklen_t len);
  // "1.2.3.4", "::1"; nullopt if not a literal IP address.
  static std::optional<SocketAddress> fromIp(std::string_view ip, uint16_t port);

  int family() const { return storage_.ss_family; }
  bool isIpv4() const { return family() == AF_INET; }
  uint16_t port() const;
  void setPort(uint16_t port);
  std::string ip() const;          // "1.2.3.4" or "::1"
  std::string toString() const;    // "1.2.3.4:5" or "[::1]:5"

  const sockaddr* sockaddrPtr() const { return reinterpret_cast<const sockaddr*>(&storage_); }
  sockaddr* sockaddrPtr() { return reinterpret_cast<sockaddr*>(&storage_); }
  socklen_t length() const { return isIpv4() ? sizeof(sockaddr_in) : sizeof(sockaddr_in6); }

  bool operator==(const SocketAddress& o) const;
  bool operator!=(const SocketAddress& o) const { return !(*this == o); }
  size_t hash() const;

 private:
  sockaddr_storage storage_;
};

}  // namespace medrtc

template <>
struct std::hash<medrtc::SocketAddress> {
  size_t operator()(const medrtc::SocketAddress& a) const noexcept { return a.hash(); }
};
