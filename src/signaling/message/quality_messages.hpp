#pragma once
// Server → client messages about the call itself rather than its membership
// (docs/protocol.md): the active speaker and the hosts' network-quality indicator.
#include <string>
#include <vector>

#include "sfu/call_quality.hpp"

namespace medrtc::signaling {

std::string activeSpeakerMessage(const std::string& participantId);
// To hosts: one entry per participant in the call.
std::string networkQualityMessage(const std::vector<sfu::ParticipantQuality>& figures);

}  // namespace medrtc::signaling
