#include "log/log.hpp"

#include <atomic>
#include <cstdio>

namespace medrtc::log {

namespace {

std::atomic<Format> gFormat{Format::kText};

// RFC 8259 §7: quote, backslash and control characters escaped; other bytes as they are
// (the values are ids and codes; exception texts are the only ones that vary).
void appendJsonString(std::string& out, std::string_view s) {
  out += '"';
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  out += '"';
}

// Text values stay on one line and one token: spaces and control characters would let a
// value pose as another field or another line.
void appendTextValue(std::string& out, std::string_view s) {
  if (s.empty()) {
    out += '-';
    return;
  }
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 || c == ' ') ? '_' : c;
  }
}

}  // namespace

Field::Field(std::string_view k, double v) : key(k), quoted(false) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  value = buf;
}

void setFormat(Format f) {
  gFormat = f;
  if (f == Format::kJson) {
    spdlog::set_pattern(R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l",%v})", spdlog::pattern_time_type::utc);
  } else {
    spdlog::set_pattern("%+");
  }
}

Format format() { return gFormat; }

bool parseFormat(std::string_view text, Format& out) {
  if (text == "text") {
    out = Format::kText;
    return true;
  }
  if (text == "json") {
    out = Format::kJson;
    return true;
  }
  return false;
}

std::string render(Format f, std::string_view event, std::initializer_list<Field> fields) {
  std::string out;
  out.reserve(64);
  if (f == Format::kJson) {
    out += "\"event\":";
    appendJsonString(out, event);
    for (const Field& field : fields) {
      out += ',';
      appendJsonString(out, field.key);
      out += ':';
      if (field.quoted) {
        appendJsonString(out, field.value);
      } else {
        out += field.value;
      }
    }
    return out;
  }
  out += event;
  for (const Field& field : fields) {
    out += ' ';
    out += field.key;
    out += '=';
    appendTextValue(out, field.value);
  }
  return out;
}

}  // namespace medrtc::log
