#include "loadgen/medrtc_messages.hpp"

#include <boost/json.hpp>

namespace medrtc::loadgen {

namespace json = boost::json;

namespace {

std::optional<json::object> parseObject(std::string_view text) {
  json::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec || !v.is_object()) {
    return std::nullopt;
  }
  return std::move(v.as_object());
}

std::string stringField(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

}  // namespace

std::string createRoomBody(std::string_view name) { return json::serialize(json::object{{"name", name}}); }

std::string createTokenBody(std::string_view identity, std::string_view name, std::string_view role) {
  return json::serialize(json::object{{"identity", identity}, {"name", name}, {"role", role}});
}

std::optional<std::string> parseRoomId(std::string_view body) {
  auto o = parseObject(body);
  if (!o) {
    return std::nullopt;
  }
  std::string id = stringField(*o, "id");
  return id.empty() ? std::nullopt : std::optional<std::string>(id);
}

std::optional<std::string> parseToken(std::string_view body) {
  auto o = parseObject(body);
  if (!o) {
    return std::nullopt;
  }
  std::string token = stringField(*o, "token");
  return token.empty() ? std::nullopt : std::optional<std::string>(token);
}

std::string joinMessage(std::string_view token) {
  return json::serialize(json::object{{"type", "join"}, {"token", token}});
}

std::string publishOfferMessage(std::string_view sdp) {
  return json::serialize(json::object{{"type", "publish_offer"}, {"sdp", sdp}});
}

std::string subscribeAnswerMessage(std::string_view sdp, int64_t version) {
  return json::serialize(json::object{{"type", "subscribe_answer"}, {"sdp", sdp}, {"version", version}});
}

std::string pingMessage() { return R"({"type":"ping"})"; }
std::string leaveMessage() { return R"({"type":"leave"})"; }

std::optional<ServerMessage> parseServerMessage(std::string_view text) {
  auto o = parseObject(text);
  if (!o) {
    return std::nullopt;
  }
  ServerMessage m;
  m.type = stringField(*o, "type");
  if (m.type.empty()) {
    return std::nullopt;
  }
  m.sdp = stringField(*o, "sdp");
  m.participantId = stringField(*o, "participant_id");
  m.errorCode = stringField(*o, "code");
  m.errorMessage = stringField(*o, "message");
  if (const json::value* v = o->if_contains("version")) {
    if (v->is_int64()) {
      m.version = v->get_int64();
    } else if (v->is_uint64()) {
      m.version = static_cast<int64_t>(v->get_uint64());
    } else {
      return std::nullopt;
    }
  }
  if ((m.type == "publish_answer" || m.type == "subscribe_offer") && m.sdp.empty()) {
    return std::nullopt;
  }
  return m;
}

}  // namespace medrtc::loadgen
