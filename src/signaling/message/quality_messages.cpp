#include "signaling/message/quality_messages.hpp"

#include <boost/json.hpp>

#include <cmath>

namespace medrtc::signaling {

namespace json = boost::json;

namespace {
// One decimal is all a tile or a chart shows; fewer digits keep the frame small.
double rounded(double v) { return std::round(v * 10.0) / 10.0; }
}  // namespace

std::string activeSpeakerMessage(const std::string& participantId) {
  return json::serialize(json::object{{"type", "active_speaker"}, {"participant_id", participantId}});
}

std::string networkQualityMessage(const std::vector<sfu::ParticipantQuality>& figures) {
  json::array participants;
  for (const auto& q : figures) {
    participants.push_back(json::object{{"participant_id", q.participantId},
                                        {"quality", sfu::toString(q.rating)},
                                        {"score", rounded(q.score)},
                                        {"mos", rounded(q.mos)},
                                        {"loss_percent", rounded(q.lossPercent)},
                                        {"jitter_ms", rounded(q.jitterMs)},
                                        {"rtt_ms", rounded(q.rttMs)},
                                        {"layer", q.layer}});
  }
  return json::serialize(json::object{{"type", "network_quality"}, {"participants", std::move(participants)}});
}

}  // namespace medrtc::signaling
