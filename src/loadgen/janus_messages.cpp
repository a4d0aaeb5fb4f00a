#include "loadgen/janus_messages.hpp"

#include <boost/json.hpp>

namespace medrtc::loadgen {

namespace json = boost::json;

namespace {

std::string stringField(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  return v != nullptr && v->is_string() ? std::string(v->as_string()) : std::string();
}

uint64_t idField(const json::object& o, std::string_view key) {
  const json::value* v = o.if_contains(key);
  if (v == nullptr) {
    return 0;
  }
  if (v->is_uint64()) {
    return v->get_uint64();
  }
  if (v->is_int64() && v->get_int64() >= 0) {
    return static_cast<uint64_t>(v->get_int64());
  }
  return 0;
}

int intField(const json::object& o, std::string_view key) { return static_cast<int>(idField(o, key)); }

std::string request(std::string_view janus, std::string_view transaction, json::object extra = {}) {
  extra["janus"] = janus;
  extra["transaction"] = transaction;
  return json::serialize(extra);
}

std::string message(std::string_view transaction, json::object body, std::optional<json::object> jsep = {}) {
  json::object o{{"body", std::move(body)}};
  if (jsep) {
    o["jsep"] = std::move(*jsep);
  }
  return request("message", transaction, std::move(o));
}

void readPublishers(const json::object& data, std::vector<uint64_t>& out) {
  const json::value* v = data.if_contains("publishers");
  if (v == nullptr || !v->is_array()) {
    return;
  }
  for (const json::value& p : v->as_array()) {
    if (p.is_object()) {
      if (uint64_t id = idField(p.as_object(), "id"); id != 0) {
        out.push_back(id);
      }
    }
  }
}

std::optional<JanusMessage> fromValue(const json::value& v) {
  if (!v.is_object()) {
    return std::nullopt;
  }
  const json::object& o = v.as_object();
  JanusMessage m;
  m.janus = stringField(o, "janus");
  if (m.janus.empty()) {
    return std::nullopt;
  }
  m.transaction = stringField(o, "transaction");
  m.sender = idField(o, "sender");
  m.reason = stringField(o, "reason");
  if (const json::value* data = o.if_contains("data"); data != nullptr && data->is_object()) {
    m.dataId = idField(data->as_object(), "id");
  }
  if (const json::value* error = o.if_contains("error"); error != nullptr && error->is_object()) {
    m.errorCode = intField(error->as_object(), "code");
    m.error = stringField(error->as_object(), "reason");
  }
  if (const json::value* pd = o.if_contains("plugindata"); pd != nullptr && pd->is_object()) {
    if (const json::value* data = pd->as_object().if_contains("data"); data != nullptr && data->is_object()) {
      const json::object& d = data->as_object();
      m.videoRoom = stringField(d, "videoroom");
      m.room = idField(d, "room");
      if (m.videoRoom == "joined") {
        m.feedId = idField(d, "id");
      }
      readPublishers(d, m.publishers);
      if (d.contains("unpublished")) {
        m.unpublished = idField(d, "unpublished");
      }
      if (d.contains("error_code")) {
        m.errorCode = intField(d, "error_code");
        m.error = stringField(d, "error");
      }
    }
  }
  if (const json::value* jsep = o.if_contains("jsep"); jsep != nullptr && jsep->is_object()) {
    m.jsepType = stringField(jsep->as_object(), "type");
    m.jsepSdp = stringField(jsep->as_object(), "sdp");
  }
  return m;
}

}  // namespace

std::string janusCreateSession(std::string_view transaction) { return request("create", transaction); }

std::string janusAttach(std::string_view transaction, std::string_view plugin) {
  return request("attach", transaction, json::object{{"plugin", plugin}});
}

std::string janusKeepalive(std::string_view transaction) { return request("keepalive", transaction); }

std::string janusDestroySession(std::string_view transaction) { return request("destroy", transaction); }

std::string videoRoomCreate(std::string_view transaction, uint64_t room, uint64_t bitrateBps) {
  return message(transaction, json::object{{"request", "create"},
                                           {"room", room},
                                           {"publishers", 2},
                                           {"bitrate", bitrateBps},
                                           {"audiocodec", "opus"},
                                           {"videocodec", "vp8"},
                                           {"permanent", false}});
}

std::string videoRoomDestroy(std::string_view transaction, uint64_t room) {
  return message(transaction, json::object{{"request", "destroy"}, {"room", room}, {"permanent", false}});
}

std::string videoRoomPublish(std::string_view transaction, uint64_t room, std::string_view display,
                             std::string_view offerSdp) {
  return message(transaction,
                 json::object{{"request", "joinandconfigure"},
                              {"room", room},
                              {"ptype", "publisher"},
                              {"display", display},
                              {"audio", true},
                              {"video", true}},
                 json::object{{"type", "offer"}, {"sdp", offerSdp}, {"trickle", false}});
}

std::string videoRoomSubscribe(std::string_view transaction, uint64_t room, uint64_t feed) {
  return message(transaction, json::object{{"request", "join"},
                                           {"room", room},
                                           {"ptype", "subscriber"},
                                           {"streams", json::array{json::object{{"feed", feed}}}}});
}

std::string videoRoomStart(std::string_view transaction, std::string_view answerSdp) {
  return message(transaction, json::object{{"request", "start"}},
                 json::object{{"type", "answer"}, {"sdp", answerSdp}, {"trickle", false}});
}

std::optional<JanusMessage> parseJanusMessage(std::string_view text) {
  json::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) {
    return std::nullopt;
  }
  return fromValue(v);
}

std::vector<JanusMessage> parseJanusEvents(std::string_view text) {
  std::vector<JanusMessage> out;
  json::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) {
    return out;
  }
  if (v.is_array()) {
    for (const json::value& e : v.as_array()) {
      if (auto m = fromValue(e)) {
        out.push_back(std::move(*m));
      }
    }
  } else if (auto m = fromValue(v)) {
    out.push_back(std::move(*m));
  }
  return out;
}

}  // namespace medrtc::loadgen
