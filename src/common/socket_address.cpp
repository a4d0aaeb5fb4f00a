#include "common/socket_address.hpp"

#include <arpa/inet.h>

namespace medrtc {

SocketAddress SocketAddress::fromSockaddr(const sockaddr* sa, socklen_t len) {
  SocketAddress a;
  std::memcpy(&a.storage_, sa, std::min<size_t>(len, sizeof a.storage_));
  return a;
}

std::optional<SocketAddress> SocketAddress::fromIp(std::string_view ip, uint16_t port) {
  std::string s(ip);
  SocketAddress a;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&a.storage_);
  if (inet_pton(AF_INET, s.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    return a;
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&a.storage_);
  if (inet_pton(AF_INET6, s.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    return a;
  }
  return std::nullopt;
}

uint16_t SocketAddress::port() const {
  if (isIpv4()) {
    return ntohs(reinterpret_cast<const sockaddr_in*>(&storage_)->sin_port);
  }
  return ntohs(reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_port);
}

void SocketAddress::setPort(uint16_t port) {
  if (isIpv4()) {
    reinterpret_cast<sockaddr_in*>(&storage_)->sin_port = htons(port);
  } else {
    reinterpret_cast<sockaddr_in6*>(&storage_)->sin6_port = htons(port);
  }
}

std::string SocketAddress::ip() const {
  char buf[INET6_ADDRSTRLEN] = {0};
  if (isIpv4()) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&storage_)->sin_addr, buf, sizeof buf);
  } else if (family() == AF_INET6) {
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&storage_)->sin6_addr, buf, sizeof buf);
  }
  return buf;
}

std::string SocketAddress::toString() const {
  return isIpv4() ? ip() + ":" + std::to_string(port()) : "[" + ip() + "]:" + std::to_string(port());
}

bool SocketAddress::operator==(const SocketAddress& o) const {
  if (family() != o.family()) {
    return false;
  }
  if (isIpv4()) {
    auto* a = reinterpret_cast<const sockaddr_in*>(&storage_);
    auto* b = reinterpret_cast<const sockaddr_in*>(&o.storage_);
    return a->sin_port == b->sin_port && a->sin_addr.s_addr == b->sin_addr.s_addr;
  }
  auto* a = reinterpret_cast<const sockaddr_in6*>(&storage_);
  auto* b = reinterpret_cast<const sockaddr_in6*>(&o.storage_);
  return a->sin6_port == b->sin6_port && std::memcmp(&a->sin6_addr, &b->sin6_addr, sizeof a->sin6_addr) == 0;
}

size_t SocketAddress::hash() const {
  if (isIpv4()) {
    auto* a = reinterpret_cast<const sockaddr_in*>(&storage_);
    return (size_t{a->sin_addr.s_addr} << 16) ^ a->sin_port;
  }
  auto* a = reinterpret_cast<const sockaddr_in6*>(&storage_);
  size_t h = a->sin6_port;
  for (size_t i = 0; i < 16; ++i) {
    h = h * 131 + a->sin6_addr.s6_addr[i];
  }
  return h;
}

}  // namespace medrtc
