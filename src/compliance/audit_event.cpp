#include "compliance/audit_event.hpp"

#include <cstdio>
#include <ctime>

#include <boost/json.hpp>

namespace medrtc::compliance {

namespace json = boost::json;

namespace dicom {
Coding applicationActivity() { return {kSystem, "110100", "Application Activity"}; }
Coding auditLogUsed() { return {kSystem, "110101", "Audit Log Used"}; }
Coding exportEvent() { return {kSystem, "110106", "Export"}; }
Coding securityAlert() { return {kSystem, "110113", "Security Alert"}; }
Coding userAuthentication() { return {kSystem, "110114", "User Authentication"}; }
Coding applicationStart() { return {kSystem, "110120", "Application Start"}; }
Coding applicationStop() { return {kSystem, "110121", "Application Stop"}; }
Coding login() { return {kSystem, "110122", "Login"}; }
Coding logout() { return {kSystem, "110123", "Logout"}; }
Coding emergencyOverrideStarted() { return {kSystem, "110127", "Emergency Override Started"}; }
}  // namespace dicom

char actionCode(AuditAction a) {
  switch (a) {
    case AuditAction::Create:
      return 'C';
    case AuditAction::Read:
      return 'R';
    case AuditAction::Update:
      return 'U';
    case AuditAction::Delete:
      return 'D';
    case AuditAction::Execute:
      return 'E';
  }
  return 'E';
}

std::string formatInstant(std::chrono::system_clock::time_point t) {
  using namespace std::chrono;
  auto ms = duration_cast<milliseconds>(t.time_since_epoch()).count();
  time_t secs = static_cast<time_t>(ms / 1000);
  int millis = static_cast<int>(ms % 1000);
  if (millis < 0) {
    millis += 1000;
    secs -= 1;
  }
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
  return buf;
}

std::optional<std::chrono::system_clock::time_point> parseInstant(std::string_view text) {
  if (text.size() != 24 || text[23] != 'Z') {
    return std::nullopt;
  }
  std::tm tm{};
  int millis = 0;
  std::string s(text);
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
                  &tm.tm_min, &tm.tm_sec, &millis) != 7) {
    return std::nullopt;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  time_t secs = timegm(&tm);
  return std::chrono::system_clock::time_point(std::chrono::seconds(secs) + std::chrono::milliseconds(millis));
}

namespace {

json::object codingJson(const Coding& c) { return {{"system", c.system}, {"code", c.code}, {"display", c.display}}; }

Result<json::value, std::string> personalJson(const PersonalText& p) {
  if (p.sealed.empty()) {
    return fail(std::string("personal field of subject '" + p.subjectId + "' is not sealed"));
  }
  return json::value(json::object{{"subject", p.subjectId}, {"box", p.sealed}});
}

const json::value* member(const json::object& o, std::string_view key) { return o.if_contains(key); }

bool getString(const json::object& o, std::string_view key, std::string& out) {
  const json::value* v = member(o, key);
  if (v == nullptr || !v->is_string()) {
    return false;
  }
  out = std::string(v->get_string());
  return true;
}

bool parseCoding(const json::value& v, Coding& out) {
  if (!v.is_object()) {
    return false;
  }
  const auto& o = v.get_object();
  return o.size() == 3 && getString(o, "system", out.system) && getString(o, "code", out.code) &&
         getString(o, "display", out.display);
}

bool parsePersonal(const json::value* v, std::optional<PersonalText>& out) {
  if (v == nullptr) {
    return true;
  }
  if (!v->is_object()) {
    return false;
  }
  PersonalText p;
  const auto& o = v->get_object();
  if (o.size() != 2 || !getString(o, "subject", p.subjectId) || !getString(o, "box", p.sealed)) {
    return false;
  }
  out = std::move(p);
  return true;
}

}  // namespace

Result<json::value, std::string> toLogJson(const AuditEvent& e) {
  json::object o;
  o["type"] = codingJson(e.type);
  json::array subtypes;
  for (const auto& s : e.subtype) {
    subtypes.push_back(codingJson(s));
  }
  o["subtype"] = std::move(subtypes);
  o["action"] = std::string(1, actionCode(e.action));
  o["recorded"] = formatInstant(e.recorded);
  o["outcome"] = static_cast<int64_t>(e.outcome);
  o["outcomeDesc"] = e.outcomeDesc;
  json::array agents;
  for (const auto& a : e.agents) {
    json::object ao{{"who", a.who}, {"role", a.role}, {"requestor", a.requestor}};
    if (a.name) {
      auto sealed = personalJson(*a.name);
      if (!sealed) {
        return fail(sealed.error());
      }
      ao["name"] = sealed.value();
    }
    agents.push_back(std::move(ao));
  }
  o["agent"] = std::move(agents);
  o["source"] = e.sourceNode;
  json::array entities;
  for (const auto& en : e.entities) {
    json::object eo{{"what", en.what}};
    if (en.display) {
      auto sealed = personalJson(*en.display);
      if (!sealed) {
        return fail(sealed.error());
      }
      eo["display"] = sealed.value();
    }
    entities.push_back(std::move(eo));
  }
  o["entity"] = std::move(entities);
  return json::value(std::move(o));
}

Result<AuditEvent, std::string> fromLogJson(const json::value& v) {
  auto bad = [](const char* what) { return fail(std::string("malformed event: ") + what); };
  if (!v.is_object()) {
    return bad("not an object");
  }
  const auto& o = v.get_object();
  AuditEvent e;
  if (!member(o, "type") || !parseCoding(*member(o, "type"), e.type)) {
    return bad("type");
  }
  const json::value* subtypes = member(o, "subtype");
  if (subtypes == nullptr || !subtypes->is_array()) {
    return bad("subtype");
  }
  for (const auto& s : subtypes->get_array()) {
    Coding c;
    if (!parseCoding(s, c)) {
      return bad("subtype");
    }
    e.subtype.push_back(std::move(c));
  }
  std::string action;
  if (!getString(o, "action", action) || action.size() != 1) {
    return bad("action");
  }
  switch (action[0]) {
    case 'C':
      e.action = AuditAction::Create;
      break;
    case 'R':
      e.action = AuditAction::Read;
      break;
    case 'U':
      e.action = AuditAction::Update;
      break;
    case 'D':
      e.action = AuditAction::Delete;
      break;
    case 'E':
      e.action = AuditAction::Execute;
      break;
    default:
      return bad("action");
  }
  std::string recorded;
  if (!getString(o, "recorded", recorded)) {
    return bad("recorded");
  }
  auto t = parseInstant(recorded);
  if (!t) {
    return bad("recorded");
  }
  e.recorded = *t;
  const json::value* outcome = member(o, "outcome");
  if (outcome == nullptr || !outcome->is_int64()) {
    return bad("outcome");
  }
  int64_t oc = outcome->get_int64();
  if (oc != 0 && oc != 4 && oc != 8 && oc != 12) {
    return bad("outcome");
  }
  e.outcome = static_cast<AuditOutcome>(oc);
  if (!getString(o, "outcomeDesc", e.outcomeDesc) || !getString(o, "source", e.sourceNode)) {
    return bad("outcomeDesc/source");
  }
  const json::value* agents = member(o, "agent");
  if (agents == nullptr || !agents->is_array()) {
    return bad("agent");
  }
  for (const auto& av : agents->get_array()) {
    if (!av.is_object()) {
      return bad("agent");
    }
    const auto& ao = av.get_object();
    AuditAgent a;
    const json::value* req = member(ao, "requestor");
    if (!getString(ao, "who", a.who) || !getString(ao, "role", a.role) || req == nullptr || !req->is_bool() ||
        !parsePersonal(member(ao, "name"), a.name)) {
      return bad("agent");
    }
    a.requestor = req->get_bool();
    e.agents.push_back(std::move(a));
  }
  const json::value* entities = member(o, "entity");
  if (entities == nullptr || !entities->is_array()) {
    return bad("entity");
  }
  for (const auto& ev : entities->get_array()) {
    if (!ev.is_object()) {
      return bad("entity");
    }
    const auto& eo = ev.get_object();
    AuditEntity en;
    if (!getString(eo, "what", en.what) || !parsePersonal(member(eo, "display"), en.display)) {
      return bad("entity");
    }
    e.entities.push_back(std::move(en));
  }
  return e;
}

}  // namespace medrtc::compliance
