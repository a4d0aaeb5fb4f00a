#pragma once
// The host's interface addresses as getifaddrs(3) reports them: what the media plane can
// announce in its ICE host candidates when the operator named none (--media-ip).
#include <string>
#include <vector>

#include "common/socket_address.hpp"

namespace medrtc::net {

struct InterfaceAddress {
  std::string interface;  // "eth0", "lo", "docker0"
  unsigned flags = 0;     // IFF_UP, IFF_RUNNING, IFF_LOOPBACK, … (<net/if.h>)
  SocketAddress address;  // IPv4 or IPv6, port 0
};

// Every IPv4 and IPv6 address of every interface, in the kernel's order. Empty when
// getifaddrs fails (the caller falls back to loopback).
std::vector<InterfaceAddress> listInterfaceAddresses();

}  // namespace medrtc::net
