#include "signaling/message/client_message.hpp"

#include "signaling/message/decoder_announcement.hpp"

#include <boost/json.hpp>

#include <limits>

namespace medrtc::signaling {

namespace json = boost::json;

namespace {

// Our messages are at most two levels deep; a small limit keeps hostile nesting cheap.
constexpr size_t kMaxDepth = 8;

Unexpected<MessageError> error(MessageErrorKind kind, std::string_view type = {}, std::string_view field = {}) {
  return fail(MessageError{kind, std::string(type), std::string(field)});
}

// A required string field. `maxBytes` caps it; empty strings are refused unless
// `allowEmpty` (an empty token is a bad token, answered by token checks, not here).
Result<std::string, MessageError> stringField(const json::object& o, std::string_view type, std::string_view name,
                                              size_t maxBytes, bool allowEmpty = false) {
  const json::value* v = o.if_contains(name);
  if (v == nullptr) {
    return error(MessageErrorKind::kMissingField, type, name);
  }
  const json::string* s = v->if_string();
  if (s == nullptr || (s->empty() && !allowEmpty) || s->size() > maxBytes) {
    return error(MessageErrorKind::kWrongField, type, name);
  }
  return std::string(s->data(), s->size());
}

Result<TrackKind, MessageError> parseKind(const json::object& o, std::string_view type) {
  const json::value* kind = o.if_contains("kind");
  if (kind == nullptr) {
    return error(MessageErrorKind::kMissingField, type, "kind");
  }
  if (kind->is_string() && kind->get_string() == "audio") {
    return TrackKind::kAudio;
  }
  if (kind->is_string() && kind->get_string() == "video") {
    return TrackKind::kVideo;
  }
  return error(MessageErrorKind::kWrongField, type, "kind");
}

Result<ClientMessage, MessageError> parseObject(const json::object& o) {
  const json::value* typeValue = o.if_contains("type");
  if (typeValue == nullptr || !typeValue->is_string()) {
    return error(MessageErrorKind::kMissingType);
  }
  std::string_view type = typeValue->get_string();

  if (type == "join") {
    auto token = stringField(o, type, "token", kMaxMessageBytes, /*allowEmpty=*/true);
    if (!token) {
      return fail(token.error());
    }
    JoinMessage m{std::move(*token)};
    if (const json::value* caps = o.if_contains("capabilities"); caps != nullptr) {
      const json::array* list = caps->if_array();
      if (list == nullptr) {
        return error(MessageErrorKind::kWrongField, type, "capabilities");
      }
      for (const json::value& cap : *list) {
        if (!cap.is_string()) {
          return error(MessageErrorKind::kWrongField, type, "capabilities");
        }
        m.p2pCapable = m.p2pCapable || cap.get_string() == "p2p";
        m.e2eeCapable = m.e2eeCapable || cap.get_string() == "e2ee";
      }
    }
    if (const json::value* decoders = o.if_contains("decoders"); decoders != nullptr) {
      auto announced = parseDecoderAnnouncement(*decoders);
      if (announced) {
        m.decoders = std::move(*announced);
      } else {
        m.decodersInvalid = announced.error();
      }
    }
    return ClientMessage{std::move(m)};
  }
  if (type == "publish_offer") {
    auto sdp = stringField(o, type, "sdp", kMaxMessageBytes);
    if (!sdp) {
      return fail(sdp.error());
    }
    return ClientMessage{PublishOfferMessage{std::move(*sdp)}};
  }
  if (type == "subscribe_answer") {
    auto sdp = stringField(o, type, "sdp", kMaxMessageBytes);
    if (!sdp) {
      return fail(sdp.error());
    }
    const json::value* v = o.if_contains("version");
    if (v == nullptr) {
      return error(MessageErrorKind::kMissingField, type, "version");
    }
    // JSON numbers may arrive as int64, uint64 or (1.0) double; accept whole numbers only.
    int64_t version = -1;
    if (v->is_int64()) {
      version = v->get_int64();
    } else if (v->is_uint64() && v->get_uint64() <= std::numeric_limits<uint32_t>::max()) {
      version = static_cast<int64_t>(v->get_uint64());
    }
    if (version < 0 || version > std::numeric_limits<uint32_t>::max()) {
      return error(MessageErrorKind::kWrongField, type, "version");
    }
    return ClientMessage{SubscribeAnswerMessage{std::move(*sdp), static_cast<uint32_t>(version)}};
  }
  if (type == "admit" || type == "deny" || type == "remove_participant" || type == "mute_participant") {
    auto pid = stringField(o, type, "participant_id", kMaxParticipantIdBytes);
    if (!pid) {
      return fail(pid.error());
    }
    if (type == "admit") {
      return ClientMessage{AdmitMessage{std::move(*pid)}};
    }
    if (type == "deny") {
      return ClientMessage{DenyMessage{std::move(*pid)}};
    }
    if (type == "remove_participant") {
      return ClientMessage{RemoveParticipantMessage{std::move(*pid)}};
    }
    auto kind = parseKind(o, type);
    if (!kind) {
      return fail(kind.error());
    }
    return ClientMessage{MuteParticipantMessage{std::move(*pid), *kind}};
  }
  if (type == "end_consultation") {
    return ClientMessage{EndConsultationMessage{}};
  }
  if (type == "chat") {
    ChatMessage m;
    if (o.contains("ciphertext")) {
      auto ciphertext = stringField(o, type, "ciphertext", kMaxMessageBytes);
      if (!ciphertext) {
        return fail(ciphertext.error());
      }
      m.ciphertext = std::move(*ciphertext);
      m.hasCiphertext = true;
    }
    if (o.contains("text") || !m.hasCiphertext) {
      auto text = stringField(o, type, "text", kMaxMessageBytes);
      if (!text) {
        return fail(text.error());
      }
      m.text = std::move(*text);
      m.hasText = true;
    }
    return ClientMessage{std::move(m)};
  }
  if (type == "e2ee_public_key") {
    auto key = stringField(o, type, "public_key", kMaxMessageBytes);
    if (!key) {
      return fail(key.error());
    }
    return ClientMessage{E2eePublicKeyMessage{std::move(*key)}};
  }
  if (type == "e2ee_key") {
    auto to = stringField(o, type, "to", kMaxParticipantIdBytes);
    if (!to) {
      return fail(to.error());
    }
    auto ciphertext = stringField(o, type, "ciphertext", kMaxMessageBytes);
    if (!ciphertext) {
      return fail(ciphertext.error());
    }
    return ClientMessage{E2eeKeyMessage{std::move(*to), std::move(*ciphertext)}};
  }
  if (type == "track_state") {
    const json::value* kind = o.if_contains("kind");
    if (kind == nullptr) {
      return error(MessageErrorKind::kMissingField, type, "kind");
    }
    TrackStateMessage m;
    if (kind->is_string() && kind->get_string() == "audio") {
      m.kind = TrackKind::kAudio;
    } else if (kind->is_string() && kind->get_string() == "video") {
      m.kind = TrackKind::kVideo;
    } else {
      return error(MessageErrorKind::kWrongField, type, "kind");
    }
    const json::value* muted = o.if_contains("muted");
    if (muted == nullptr) {
      return error(MessageErrorKind::kMissingField, type, "muted");
    }
    if (!muted->is_bool()) {
      return error(MessageErrorKind::kWrongField, type, "muted");
    }
    m.muted = muted->get_bool();
    return ClientMessage{m};
  }
  if (type == "p2p_signal") {
    auto to = stringField(o, type, "to", kMaxParticipantIdBytes);
    if (!to) {
      return fail(to.error());
    }
    const json::value* data = o.if_contains("data");
    if (data == nullptr) {
      return error(MessageErrorKind::kMissingField, type, "data");
    }
    // An object only: the peer's client reads `sdp` or `candidate` from it.
    if (!data->is_object()) {
      return error(MessageErrorKind::kWrongField, type, "data");
    }
    return ClientMessage{P2pSignalMessage{std::move(*to), json::serialize(*data)}};
  }
  if (type == "p2p_failed") {
    return ClientMessage{P2pFailedMessage{}};
  }
  if (type == "resume") {
    auto token = stringField(o, type, "token", kMaxMessageBytes);
    if (!token) {
      return fail(token.error());
    }
    auto resumeToken = stringField(o, type, "resume_token", kMaxResumeTokenBytes);
    if (!resumeToken) {
      return fail(resumeToken.error());
    }
    return ClientMessage{ResumeMessage{std::move(*token), std::move(*resumeToken)}};
  }
  if (type == "restart_ice") {
    auto ufrag = stringField(o, type, "ice_ufrag", kMaxIceUfragBytes);
    if (!ufrag) {
      return fail(ufrag.error());
    }
    return ClientMessage{RestartIceMessage{std::move(*ufrag)}};
  }
  if (type == "leave") {
    return ClientMessage{LeaveMessage{}};
  }
  if (type == "ping") {
    return ClientMessage{PingMessage{}};
  }
  return error(MessageErrorKind::kUnknownType, type.substr(0, 64));
}

}  // namespace

Result<ClientMessage, MessageError> parseClientMessage(std::string_view text) {
  if (text.size() > kMaxMessageBytes) {
    return error(MessageErrorKind::kTooLarge);
  }
  json::parse_options options;
  options.max_depth = kMaxDepth;
  // Strict RFC 8259: no comments, no trailing commas, invalid UTF-8 refused.
  json::monotonic_resource arena;
  boost::system::error_code ec;
  json::value v = json::parse(text, ec, &arena, options);
  if (ec) {
    return error(MessageErrorKind::kNotJson);
  }
  const json::object* o = v.if_object();
  if (o == nullptr) {
    return error(MessageErrorKind::kNotObject);
  }
  return parseObject(*o);
}

const char* toString(MessageErrorKind kind) {
  switch (kind) {
    case MessageErrorKind::kTooLarge: return "too_large";
    case MessageErrorKind::kNotJson: return "not_json";
    case MessageErrorKind::kNotObject: return "not_object";
    case MessageErrorKind::kMissingType: return "missing_type";
    case MessageErrorKind::kUnknownType: return "unknown_type";
    case MessageErrorKind::kMissingField: return "missing_field";
    case MessageErrorKind::kWrongField: return "wrong_field";
  }
  return "unknown";
}

std::string describe(const MessageError& e) {
  switch (e.kind) {
    case MessageErrorKind::kTooLarge: return "message larger than 64 KiB";
    case MessageErrorKind::kNotJson: return "message is not valid JSON";
    case MessageErrorKind::kNotObject: return "message is not a JSON object";
    case MessageErrorKind::kMissingType: return "message has no string \"type\"";
    case MessageErrorKind::kUnknownType: return "unknown message type";
    case MessageErrorKind::kMissingField: return "missing field \"" + e.field + "\"";
    case MessageErrorKind::kWrongField: return "field \"" + e.field + "\" has a wrong type or value";
  }
  return "invalid message";
}

const char* toString(TrackKind kind) { return kind == TrackKind::kAudio ? "audio" : "video"; }

bool isE2eeMessageError(const MessageError& e) {
  bool fieldError = e.kind == MessageErrorKind::kMissingField || e.kind == MessageErrorKind::kWrongField;
  return fieldError &&
         (e.requestType == "e2ee_public_key" || e.requestType == "e2ee_key" ||
          (e.requestType == "chat" && e.field == "ciphertext"));
}

}  // namespace medrtc::signaling
