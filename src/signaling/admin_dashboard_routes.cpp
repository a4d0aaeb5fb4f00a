// The practice admin's dashboard (issue 15 item 6): live consultations with their waiting
// times, and one consultation's call quality over time: a live room's from memory
// (signaling/call_quality_board.hpp), an ended one's from the store's history
// (signaling/quality_history.hpp), and the list of consultations that have a history.
// Tenant admins only, and only their tenant's rooms: another tenant's room answers 404
// like an unknown one. Ids, counts, times and link figures only: nothing about who is in
// the call beyond what the admin's appointment list already shows.
#include <boost/json.hpp>

#include <cstdlib>

#include "signaling/problem.hpp"
#include "signaling/quality_history.hpp"
#include "signaling/rest_api.hpp"
#include "signaling/rest_json.hpp"
#include "signaling/signaling_hub.hpp"

namespace medrtc::signaling {

namespace json = boost::json;

namespace {

std::optional<HttpResponse> refuseUnlessAdmin(const RestApi::Params& p) {
  if (!p.session || p.session->user.role != "admin") {
    return problem(403, "forbidden", "only the practice's admin sees the live consultations");
  }
  return std::nullopt;
}

json::object sampleJson(const RoomQualitySample& s) {
  return json::object{{"at", s.at},
                      {"loss_percent", s.lossPercent},
                      {"rtt_ms", s.rttMs},
                      {"jitter_ms", s.jitterMs},
                      {"bitrate_bps", s.bitrateBps},
                      {"layer", s.layer},
                      {"freeze_count", s.freezeCount},
                      {"score", s.score},
                      {"quality", sfu::toString(sfu::ratingOf(s.score))},
                      {"participants", s.participants}};
}

// ?since=<Unix seconds>; 0 when absent or not a number.
int64_t sinceOf(const std::string& target) {
  size_t at = target.find("since=");
  if (at == std::string::npos || (at > 0 && target[at - 1] != '?' && target[at - 1] != '&')) {
    return 0;
  }
  return std::strtoll(target.c_str() + at + 6, nullptr, 10);
}

// The newest consultations the history list shows.
constexpr size_t kHistoryRooms = 50;

}  // namespace

HttpResponse RestApi::liveConsultations(const HttpRequest&, const Params& p) {
  if (auto refused = refuseUnlessAdmin(p)) {
    return *refused;
  }
  int64_t now = nowSeconds();
  json::array list;
  for (const SignalingHub::LiveConsultation& live : hub_.liveConsultations(p.session->tenant.id)) {
    json::array waits;
    for (int64_t since : live.waitingSince) {
      waits.push_back(std::max<int64_t>(0, now - since));
    }
    json::object o{{"room_id", live.roomId},
                   {"participants", live.participants},
                   {"waiting", live.waitingSince.size()},
                   {"waiting_seconds", std::move(waits)}};
    o["started_at"] = live.startedAt == 0 ? json::value(nullptr) : json::value(live.startedAt);
    auto samples = hub_.qualityBoard().samples(live.roomId);
    o["quality"] = samples.empty() ? json::value(nullptr) : json::value(sampleJson(samples.back()));
    list.push_back(std::move(o));
  }
  return jsonResponse(200, json::object{{"consultations", std::move(list)}, {"now", now}});
}

HttpResponse RestApi::consultationQuality(const HttpRequest& r, const Params& p) {
  if (auto refused = refuseUnlessAdmin(p)) {
    return *refused;
  }
  std::string tenantId = p.session->tenant.id;
  int64_t since = sinceOf(r.target);
  json::array samples;
  if (hub_.tenantRoomLive(tenantId, p.id)) {
    for (const RoomQualitySample& s : hub_.qualityBoard().samples(p.id, since)) {
      samples.push_back(sampleJson(s));
    }
    return jsonResponse(200, json::object{{"room_id", p.id},
                                          {"live", true},
                                          {"interval_seconds", 5},
                                          {"samples", std::move(samples)}});
  }
  // Ended, or live on no participant of this tenant: what the store kept (read on the
  // store pool). Another tenant's room reads as one without history.
  using Stored = std::vector<store::QualitySampleRecord>;
  return onStore<Stored>(
      r, p,
      [id = p.id, since](store::Store& store) {
        return store.listQualitySamples(id, since, static_cast<size_t>(QualityHistory::kMaxSamplesPerRoom));
      },
      [tenantId, id = p.id](Stored& stored) {
        std::erase_if(stored,
                      [&](const store::QualitySampleRecord& q) { return q.tenantId != tenantId || tenantId.empty(); });
        if (stored.empty()) {
          return problem(404, "room_not_found", "no consultation with this id has call-quality figures");
        }
        json::array samples;
        for (const RoomQualitySample& s : summarizeStored(stored)) {
          samples.push_back(sampleJson(s));
        }
        return jsonResponse(200, json::object{{"room_id", id},
                                              {"live", false},
                                              {"interval_seconds", QualityHistory::kSampleIntervalSeconds},
                                              {"samples", std::move(samples)}});
      });
}

HttpResponse RestApi::qualityHistory(const HttpRequest& r, const Params& p) {
  if (auto refused = refuseUnlessAdmin(p)) {
    return *refused;
  }
  std::string tenantId = p.session->tenant.id;
  if (tenantId.empty()) {
    return jsonResponse(200, json::object{{"consultations", json::array{}}});
  }
  using Rooms = std::vector<store::QualityRoomRecord>;
  return onStore<Rooms>(
      r, p,
      [tenantId, since = sinceOf(r.target)](store::Store& store) {
        return store.listQualityRooms(tenantId, since, kHistoryRooms);
      },
      [this, tenantId](Rooms& rooms) {
        json::array list;
        for (const store::QualityRoomRecord& room : rooms) {
          list.push_back(json::object{{"room_id", room.roomId},
                                      {"first_at", room.firstAt},
                                      {"last_at", room.lastAt},
                                      {"samples", room.samples},
                                      {"participants", room.participants},
                                      {"live", hub_.tenantRoomLive(tenantId, room.roomId)}});
        }
        return jsonResponse(200, json::object{{"consultations", std::move(list)}});
      });
}

}  // namespace medrtc::signaling
