#pragma once
// Which addresses the media workers put in their ICE host candidates. A browser pairs only
// the candidates it can reach, and Chromium pairs no loopback candidate unless started with
// --allow-loopback-in-peer-connection, so announcing 127.0.0.1 alone leaves a stock
// browser on the same machine in "checking" for ever: by default every usable interface
// address is announced.
#include <string>
#include <vector>

#include "net/interface_addresses.hpp"

namespace medrtc::net {

// What the operator configured (sfu::MediaConfig carries the same three).
struct AnnounceSettings {
  std::string listenIp = "0.0.0.0";      // --media-listen: where the media sockets bind
  std::vector<std::string> ips;          // --media-ip, repeatable; empty: choose
  std::string publicIp;                  // --media-public-ip; empty: none
};

// The IP addresses to announce, best first, no duplicates:
//   1. publicIp (--media-public-ip, the 1:1 NAT address of a cloud VM), then
//   2. ips (--media-ip, repeatable) when given; otherwise
//      - the bind address itself when listenIp is not a wildcard, else
//      - every usable address of `interfaces` of a family the socket receives (IPv4 for
//        0.0.0.0; IPv4 and IPv6 for a dual-stack ::), IPv4 first; usable = up and
//        running (a docker bridge without containers is not running), not loopback, not
//        link-local (fe80::/10 needs a scope id no candidate carries; 169.254/16);
//      - loopback only when that leaves nothing.
// Throws std::runtime_error for an address that is not an IP literal or that the media
// socket cannot receive (an IPv6 address while it binds 0.0.0.0).
std::vector<std::string> chooseAnnouncedIps(const AnnounceSettings& settings,
                                            const std::vector<InterfaceAddress>& interfaces);

}  // namespace medrtc::net
