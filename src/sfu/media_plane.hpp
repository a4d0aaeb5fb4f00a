#pragma once
// Builds the media plane: N shared-nothing workers, each with its own thread, event loop
// and UDP socket; rooms are pinned to one worker.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "sfu/media_api.hpp"
#include "sfu/transport_timeouts.hpp"

namespace medrtc::sfu {

struct MediaConfig {
  std::string listenIp = "0.0.0.0";  // where the workers' UDP sockets bind
  // The addresses put in ICE host candidates (--media-ip, repeatable); empty: every usable
  // interface address (net/announced_addresses.hpp).
  std::vector<std::string> announcedIps;
  std::string publicIp;  // 1:1 NAT address announced first (--media-public-ip); empty: none
  int workers = 0;                   // 0 = one per core
  uint16_t portBase = 0;             // worker i binds portBase + i; 0 = ephemeral ports
  // Passive ICE-TCP (RFC 6544) on each worker's port number beside UDP, for networks that
  // block UDP (--no-ice-tcp, media.ice_tcp = false to turn off).
  bool iceTcp = true;
  // UDP GSO (UDP_SEGMENT) for runs of equal-size packets to one address, where the kernel
  // has it (--no-udp-gso to turn off; issue 14 item 2: ≈ 10 % less server CPU at N=20).
  bool udpGso = true;
  // Send-side bandwidth estimation on transport-cc feedback and the layer allocator
  // (docs/bandwidth-estimation.md). On by default; `serve --no-bandwidth-estimation` leaves
  // layer choice to the loss-based layer selector alone.
  bool bandwidthEstimation = true;
  TransportTimeouts transportTimeouts;  // RFC defaults; tests shorten them
  // Connectivity probes (MediaApi::openProbe): how long one lives at most, and how many a
  // worker holds at once (the control plane bounds them per client and per node first).
  Micros probeLifetime = std::chrono::seconds(15);
  size_t maxProbesPerWorker = 256;
  // Tests only: runs on the worker thread as a participant is added, before its transports
  // are built; a throw stands in for a failure there (DtlsTransport's constructor, memory).
  std::function<void(const std::string& participantId)> addParticipantFault;
};

std::unique_ptr<MediaApi> createMediaPlane(const MediaConfig& config, ControlPoster toControl, MediaEvents& events);

}  // namespace medrtc::sfu
