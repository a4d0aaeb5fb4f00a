#include "signaling/rest_api.hpp"
#include "log/log.hpp"

#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <ctime>
#include <optional>

#include "signaling/problem.hpp"
#include "signaling/rest_json.hpp"
#include "clinic/secrets.hpp"
#include "common/random.hpp"
#include "store/api_key.hpp"

namespace medrtc::signaling {

namespace json = boost::json;

namespace {

// kSession: the clinic's cookie session, plus X-CSRF-Token on state-changing methods.
// kAdminOrApiKey: an API key when the request has an Authorization header, else a
// practice admin's session (with the CSRF check).
enum class Auth { kNone, kApiKey, kSession, kAdminOrApiKey };

json::object roomJson(const store::RoomRecord& room) {
  return json::object{{"id", room.id},
                      {"room_id", room.id},
                      {"name", room.name},
                      {"created_at", formatTimestamp(room.createdAt)},
                      {"status", room.ended() ? "ended" : "open"},
                      {"waiting_room", room.waitingRoom}};
}

std::vector<std::string_view> splitPath(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t pos = 1;
  while (pos <= path.size()) {
    size_t next = path.find('/', pos);
    if (next == std::string_view::npos) {
      next = path.size();
    }
    parts.push_back(path.substr(pos, next - pos));
    pos = next + 1;
  }
  return parts;
}

// Matches "/api/v1/rooms/{id}" against a path; fills `id`.
bool matchTemplate(std::string_view tmpl, std::string_view path, std::string& id) {
  auto t = splitPath(tmpl);
  auto p = splitPath(path);
  if (t.size() != p.size()) {
    return false;
  }
  for (size_t i = 0; i < t.size(); ++i) {
    if (t[i] == "{id}") {
      if (p[i].empty() || p[i].size() > 64) {
        return false;
      }
      id = std::string(p[i]);
    } else if (t[i] != p[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

struct RouteEntry {
  std::string_view method;
  std::string_view path;
  Auth auth;
  HttpResponse (RestApi::*handler)(const HttpRequest&, const RestApi::Params&);
};

std::string formatTimestamp(int64_t unixSeconds) {
  std::time_t t = static_cast<std::time_t>(unixSeconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

namespace {

std::vector<uint8_t> codeKeyFrom(std::span<const uint8_t> seed) {
  if (seed.empty()) {
    // Tests and tools without a secret: a per-process random key (codes then die with it).
    std::vector<uint8_t> random(32);
    fillRandom(random);
    return random;
  }
  return clinic::deriveKey(seed, "medrtc invitation code hash v1");
}

// Device cookies are signed with their own key from the same seed (the node's token
// secret): a join token's MAC can never pass for a device cookie's, nor the reverse.
clinic::AuthPolicy withDeviceCookieKey(clinic::AuthPolicy policy, std::span<const uint8_t> seed) {
  if (!seed.empty() && policy.deviceCookieKey.empty()) {
    policy.deviceCookieKey = clinic::deriveKey(seed, "medrtc device cookie v1");
  }
  return policy;
}

}  // namespace

RestApi::RestApi(store::Store& store, const JoinTokenSigner& tokens, SignalingHub& hub, const Clock& clock,
                 bool devMode, compliance::AuditSink* audit, std::span<const uint8_t> codeKeySeed,
                 clinic::AuthPolicy authPolicy)
    : store_(store),
      tokens_(tokens),
      hub_(hub),
      clock_(clock),
      devMode_(devMode),
      auth_(store, clock, audit, withDeviceCookieKey(authPolicy, codeKeySeed)),
      appointments_(store, clock, audit, codeKeyFrom(codeKeySeed)),
      setup_(store, clock, audit, authPolicy.profiles),  // auth_ copied authPolicy: still whole here
      audit_(audit),
      jobs_(store, authPolicy.storePool),
      passwordWorkers_(authPolicy.passwordWorkers) {}

bool RestApi::owns(const std::string& path) {
  return path == "/healthz" || path == "/readyz" || path == "/metrics" || path.rfind("/api/", 0) == 0;
}

int64_t RestApi::nowSeconds() const {
  return std::chrono::duration_cast<std::chrono::seconds>(clock_.wallNow().time_since_epoch()).count();
}

// The routing table. docs/openapi.yaml lists the same (checked by a unit test).
#define MEDRTC_ROUTES(X)                                                  \
  X("GET", "/healthz", Auth::kNone, healthz)                              \
  X("GET", "/readyz", Auth::kNone, readyz)                                \
  X("GET", "/metrics", Auth::kNone, metrics) /* its own token */          \
  X("GET", "/api/v1/ws", Auth::kNone, websocketWithoutUpgrade)            \
  X("POST", "/api/v1/rooms", Auth::kApiKey, createRoom)                   \
  X("GET", "/api/v1/rooms/{id}", Auth::kApiKey, getRoom)                  \
  X("DELETE", "/api/v1/rooms/{id}", Auth::kApiKey, deleteRoom)            \
  X("POST", "/api/v1/rooms/{id}/tokens", Auth::kApiKey, createToken)      \
  X("POST", "/api/v1/dev/rooms", Auth::kNone, createDevRoom)                                 \
  X("GET", "/api/v1/network-check", Auth::kNone, networkCheck)                              \
  X("POST", "/api/v1/connectivity-probes", Auth::kNone, createProbe) /* its own credential */ \
  X("POST", "/api/v1/auth/login", Auth::kNone, login)                                       \
  X("POST", "/api/v1/auth/logout", Auth::kSession, logout)                                  \
  X("GET", "/api/v1/auth/me", Auth::kSession, me)                                           \
  X("POST", "/api/v1/appointments", Auth::kSession, createAppointment)                      \
  X("GET", "/api/v1/appointments", Auth::kSession, listAppointments)                        \
  X("GET", "/api/v1/appointments/{id}", Auth::kSession, getAppointment)                     \
  X("PATCH", "/api/v1/appointments/{id}", Auth::kSession, patchAppointment)                 \
  X("POST", "/api/v1/appointments/{id}/cancel", Auth::kSession, cancelAppointment)          \
  X("GET", "/api/v1/appointments/{id}/fhir", Auth::kSession, appointmentFhir)               \
  X("POST", "/api/v1/appointments/{id}/invitations", Auth::kSession, createInvitation)      \
  X("POST", "/api/v1/appointments/{id}/host-token", Auth::kSession, hostToken)              \
  X("PUT", "/api/v1/appointments/{id}/delegate", Auth::kSession, setDelegate)               \
  X("POST", "/api/v1/invitations/redeem", Auth::kNone, redeemInvitation)                    \
  X("DELETE", "/api/v1/invitations/{id}", Auth::kSession, revokeInvitation)                 \
  X("GET", "/api/v1/admin/consultations", Auth::kSession, liveConsultations)                \
  X("GET", "/api/v1/admin/consultations/{id}/quality", Auth::kSession, consultationQuality) \
  X("GET", "/api/v1/admin/quality-history", Auth::kSession, qualityHistory)                 \
  X("GET", "/api/v1/setup", Auth::kNone, setupStatus)                                       \
  X("POST", "/api/v1/setup/enrolment", Auth::kNone, setupEnrolment) /* the setup token */   \
  X("POST", "/api/v1/setup/complete", Auth::kNone, setupComplete) /* the setup token */ \
  X("GET", "/api/v1/webhooks", Auth::kAdminOrApiKey, listWebhooks)                          \
  X("POST", "/api/v1/webhooks", Auth::kAdminOrApiKey, createWebhook)                        \
  X("GET", "/api/v1/webhooks/{id}", Auth::kAdminOrApiKey, getWebhook)                       \
  X("DELETE", "/api/v1/webhooks/{id}", Auth::kAdminOrApiKey, deleteWebhook)                 \
  X("GET", "/api/v1/webhooks/{id}/deliveries", Auth::kAdminOrApiKey, listWebhookDeliveries) \
  X("GET", "/api/v1/tenants/{id}/terms", Auth::kNone, getTerms) /* public: K10 */           \
  X("PUT", "/api/v1/tenants/{id}/terms", Auth::kSession, putTerms)                         \
  X("POST", "/api/v1/appointments/{id}/staff", Auth::kSession, addStaff) /* K5 */         \
  X("GET", "/api/v1/appointments/{id}/staff", Auth::kSession, listStaff) /* K5 */          \
  X("POST", "/api/v1/appointments/{id}/staff-token", Auth::kSession, staffToken) /* K5 */  \
  X("GET", "/api/v1/staff/consultations", Auth::kSession, listStaffConsultations) /* K5 */

std::vector<RouteInfo> RestApi::routes() {
  return {
#define MEDRTC_ROUTE_INFO(method, path, auth, handler) RouteInfo{method, path},
      MEDRTC_ROUTES(MEDRTC_ROUTE_INFO)
#undef MEDRTC_ROUTE_INFO
  };
}

HttpResponse RestApi::handle(const HttpRequest& request) {
  static const RouteEntry kTable[] = {
#define MEDRTC_ROUTE_ENTRY(method, path, auth, handler) RouteEntry{method, path, auth, &RestApi::handler},
      MEDRTC_ROUTES(MEDRTC_ROUTE_ENTRY)
#undef MEDRTC_ROUTE_ENTRY
  };
  std::string path = targetPath(request.target);
  std::string allow;
  for (const RouteEntry& route : kTable) {
    Params params;
    if (!matchTemplate(route.path, path, params.id)) {
      continue;
    }
    if (route.method != request.method) {
      allow += (allow.empty() ? "" : ", ") + std::string(route.method);
      continue;
    }
    params.route = route.path;
    // The error boundary of every route: what escapes a handler (or its authorization)
    // answers as problem+json (store_job.cpp failureResponse), never into the control loop.
    try {
      switch (route.auth) {
        case Auth::kNone: return (this->*route.handler)(request, params);
        case Auth::kApiKey: return withApiKey(route.handler, request, std::move(params));
        case Auth::kSession: return withSession(route.handler, request, std::move(params), false);
        case Auth::kAdminOrApiKey:
          return request.authorization.empty() ? withSession(route.handler, request, std::move(params), true)
                                               : withApiKey(route.handler, request, std::move(params));
      }
      return problem(500, "internal", "server error");
    } catch (...) {
      return failureResponse(std::current_exception(), RouteLabel{request.method, std::string(route.path)});
    }
  }
  if (!allow.empty()) {
    HttpResponse r = problem(405, "method_not_allowed", "allowed: " + allow);
    r.headers.emplace_back("Allow", allow);
    return r;
  }
  return problem(404, "not_found", "no such resource");
}

std::string_view RestApi::bearerKey(const HttpRequest& r) {
  // RFC 6750 §2.1; the scheme name is case-insensitive (RFC 9110 §11.1).
  constexpr std::string_view kScheme = "bearer ";
  if (r.authorization.size() <= kScheme.size()) {
    return {};
  }
  for (size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(r.authorization[i])) != kScheme[i]) {
      return {};
    }
  }
  std::string_view key = std::string_view(r.authorization).substr(kScheme.size());
  while (!key.empty() && key.front() == ' ') {
    key.remove_prefix(1);
  }
  return key;
}

HttpResponse RestApi::withApiKey(Handler handler, const HttpRequest& r, Params p) {
  auto unauthorized = [] {
    HttpResponse res = problem(401, "unauthorized", "a valid API key is required (Authorization: Bearer <key>)");
    res.headers.emplace_back("WWW-Authenticate", "Bearer");
    return res;
  };
  std::string key(bearerKey(r));
  if (key.empty()) {
    return unauthorized();
  }
  // The handler runs later: it gets its own copy of the request.
  auto request = std::make_shared<const HttpRequest>(r);
  return onStore<std::optional<store::ApiKeyRecord>>(
      r, p, [key](store::Store& store) { return store::authenticateApiKey(store, key); },
      [this, handler, request, p, unauthorized](std::optional<store::ApiKeyRecord>& found) mutable {
        if (!found) {
          return unauthorized();
        }
        p.apiKey = std::move(found);
        return (this->*handler)(*request, p);
      });
}

std::optional<store::RoomRecord> RestApi::roomForKey(store::Store& store, const std::string& id, const Params& p) {
  auto room = store.findRoom(id);
  // Tenant isolation (docs/api-keys.md): a key reaches the rooms of its own tenant; a
  // node-operator key (no tenant) only rooms without one — never a clinic's consultation.
  if (!room || !p.apiKey || room->tenantId != p.apiKey->tenantId) {
    return std::nullopt;
  }
  return room;
}

HttpResponse RestApi::healthz(const HttpRequest&, const Params&) {
  return jsonResponse(200, json::object{{"status", "ok"}});
}

HttpResponse RestApi::websocketWithoutUpgrade(const HttpRequest&, const Params&) {
  HttpResponse r = problem(426, "upgrade_required", "this endpoint speaks WebSocket (docs/protocol.md)");
  r.headers.emplace_back("Upgrade", "websocket");
  return r;
}

HttpResponse RestApi::createRoom(const HttpRequest& r, const Params& p) {
  if (auto refused = refuseNewCall("")) {
    return *refused;
  }
  HttpResponse error;
  auto body = parseBody(r, false, error);
  if (!body) {
    return error;
  }
  bool ok = true;
  auto name = stringMember(*body, "name", 0, 200, false, error, ok);
  if (!ok) {
    return error;
  }
  bool waitingRoom = false;
  if (const json::value* v = body->if_contains("waiting_room"); v != nullptr && !v->is_null()) {
    if (!v->is_bool()) {
      return problem(400, "invalid_field", "\"waiting_room\" must be a boolean");
    }
    waitingRoom = v->get_bool();
  }
  store::NewRoom wanted{.name = name.value_or(""), .waitingRoom = waitingRoom, .tenantId = p.apiKey->tenantId};
  return onStore<store::RoomRecord>(
      r, p, [wanted, now = nowSeconds()](store::Store& store) { return store.createRoom(wanted, now); },
      [](store::RoomRecord& room) {
        log::info("room_created", {{"room", room.id}});
        HttpResponse res = jsonResponse(201, roomJson(room));
        res.headers.emplace_back("Location", "/api/v1/rooms/" + room.id);
        return res;
      });
}

HttpResponse RestApi::getRoom(const HttpRequest& r, const Params& p) {
  // The room from the store pool, who is in it from the hub.
  using Found = std::optional<store::RoomRecord>;
  return onStore<Found>(
      r, p, [p](store::Store& store) { return roomForKey(store, p.id, p); },
      [this](Found& room) { return roomAnswer(room); });
}

HttpResponse RestApi::roomAnswer(const std::optional<store::RoomRecord>& room) {
  if (!room) {
    return problem(404, "room_not_found", "no room with this id");
  }
  json::object o = roomJson(*room);
  json::array participants;
  for (const LiveParticipant& lp : hub_.participants(room->id)) {
    participants.push_back(json::object{{"participant_id", lp.view.participantId},
                                        {"identity", lp.view.identity},
                                        {"name", lp.view.name},
                                        {"role", lp.view.role},
                                        {"joined_at", formatTimestamp(lp.joinedAt)}});
  }
  o["participants"] = std::move(participants);
  return jsonResponse(200, o);
}

HttpResponse RestApi::deleteRoom(const HttpRequest& r, const Params& p) {
  // Ended in the store on the pool, then in the hub here: its people are told once the
  // end is stored (a join meanwhile reads the room as ended).
  using Found = std::optional<store::RoomRecord>;
  return onStore<Found>(
      r, p,
      [p, now = nowSeconds()](store::Store& store) {
        auto room = roomForKey(store, p.id, p);
        if (room) {
          store.endRoom(room->id, now);
        }
        return room;
      },
      [this](Found& room) {
        if (!room) {
          return problem(404, "room_not_found", "no room with this id");
        }
        hub_.endRoom(room->id, "ended_by_api", "", /*announce=*/!room->ended());
        if (!room->ended()) {
          log::info("room_ended", {{"room", room->id}});
        }
        HttpResponse res;
        res.status = 204;
        return res;
      });
}

HttpResponse RestApi::createToken(const HttpRequest& r, const Params& p) {
  HttpResponse error;
  auto body = parseBody(r, true, error);
  if (!body) {
    return error;
  }
  bool ok = true;
  auto identity = stringMember(*body, "identity", 1, 128, true, error, ok);
  if (!ok) {
    return error;
  }
  auto name = stringMember(*body, "name", 1, 100, true, error, ok);
  if (!ok) {
    return error;
  }
  auto role = stringMember(*body, "role", 1, 16, false, error, ok);
  if (!ok) {
    return error;
  }
  if (role && *role != "host" && *role != "guest") {
    return problem(400, "invalid_field", "\"role\" must be \"host\" or \"guest\"");
  }
  std::chrono::seconds ttl = kDefaultTokenTtl;
  if (const json::value* v = body->if_contains("ttl_seconds"); v != nullptr && !v->is_null()) {
    if (!v->is_int64() && !v->is_uint64()) {
      return problem(400, "invalid_field", "\"ttl_seconds\" must be an integer");
    }
    bool positive = v->is_uint64() || v->get_int64() > 0;
    uint64_t seconds = v->is_uint64() ? v->get_uint64() : static_cast<uint64_t>(std::max<int64_t>(v->get_int64(), 0));
    if (!positive || seconds > static_cast<uint64_t>(kMaxTokenTtl.count())) {
      return problem(400, "invalid_field", "\"ttl_seconds\" must be between 1 and 86400");
    }
    ttl = std::chrono::seconds(seconds);
  }
  JoinClaims claims;
  claims.identity = *identity;
  claims.name = *name;
  claims.role = role.value_or("guest");
  // The room and whether it is a consultation's come from the store pool.
  struct Room {
    std::optional<store::RoomRecord> room;
    bool consultation = false;
  };
  return onStore<Room>(
      r, p,
      [p](store::Store& store) {
        Room found{roomForKey(store, p.id, p), false};
        if (found.room && !found.room->ended()) {
          found.consultation = store.roomHasAppointment(found.room->id);
        }
        return found;
      },
      [this, claims, ttl](Room& found) mutable {
        const auto& room = found.room;
        if (!room) {
          return problem(404, "room_not_found", "no room with this id");
        }
        if (room->ended()) {
          return problem(409, "room_ended", "the room has ended");
        }
        // A consultation's people enter through the clinic workflow (host-token for its
        // practitioner or delegate, invitations for guests). A key minting tokens there could
        // take over the practitioner's identity or an admitted patient's (issue 10 items 1, 2).
        if (found.consultation) {
          return problem(403, "forbidden", "a consultation's tokens come from the clinic workflow, not from API keys");
        }
        claims.roomId = room->id;
        return issueToken(std::move(claims), ttl);
      });
}

HttpResponse RestApi::issueToken(JoinClaims claims, std::chrono::seconds ttl) {
  if (auto refused = refuseNewCall(claims.roomId)) {
    return *refused;
  }
  const std::string roomId = claims.roomId;
  JoinClaims issued;
  std::string token = tokens_.issue(std::move(claims), ttl, &issued);
  log::info("token_issued", {{"room", roomId}, {"token", issued.tokenId}, {"role", issued.role},
                             {"ttl_s", ttl.count()}});
  return jsonResponse(201, json::object{{"token", token},
                                        {"join_url", "/call/" + roomId + "#t=" + token},
                                        {"expires_at", formatTimestamp(issued.expiresAt)}});
}

HttpResponse RestApi::createDevRoom(const HttpRequest& r, const Params& p) {
  if (!devMode_) {
    return problem(404, "not_found", "no such resource");
  }
  if (auto refused = refuseNewCall("")) {
    return *refused;
  }
  // The room stored on the pool (no event: dev mode audits nothing here), its links here.
  return onStore<store::RoomRecord>(
      r, p,
      [now = nowSeconds()](store::Store& store) {
        return store.createRoom(store::NewRoom{.name = "dev", .waitingRoom = false, .tenantId = ""}, now);
      },
      [this](store::RoomRecord& room) { return devRoomAnswer(room); });
}

HttpResponse RestApi::devRoomAnswer(const store::RoomRecord& room) {
  log::info("room_created", {{"room", room.id}, {"dev", true}});
  json::array links;
  for (auto [identity, name, role] : {std::tuple{"alice", "Alice", "host"}, std::tuple{"bob", "Bob", "guest"}}) {
    JoinClaims claims;
    claims.roomId = room.id;
    claims.identity = identity;
    claims.name = name;
    claims.role = role;
    std::string token = tokens_.issue(std::move(claims), kDefaultTokenTtl);
    links.push_back(json::object{{"identity", identity},
                                 {"name", name},
                                 {"role", role},
                                 {"join_url", "/call/" + room.id + "#t=" + token}});
  }
  return jsonResponse(201, json::object{{"id", room.id}, {"room_id", room.id}, {"links", std::move(links)}});
}

}  // namespace medrtc::signaling
