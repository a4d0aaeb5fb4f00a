#pragma once
// Operator logs as events (issue 15 item 5, docs/operations.md "Log lines"): every line
// is an event name plus fields that carry ids, counts and codes — never names, emails,
// tokens or free text. The same event renders two ways, picked once at start
// (`serve --log-format`):
//
//   text (default):  [2026-12-04 21:00:00.123] [medrtc] [info] room_opened room=r_1 worker=0
//   json:            {"time":"2026-12-04T21:00:00.123Z","level":"info","event":"room_opened","room":"r_1","worker":0}
//
// spdlog still does the writing (sinks, levels, the time stamp); this header only builds
// the message, so a test's captured spdlog logger sees the same lines.
#include <spdlog/spdlog.h>

#include <concepts>
#include <initializer_list>
#include <string>
#include <string_view>

namespace medrtc::log {

enum class Format { kText, kJson };

// One field: a string value is quoted in JSON, a number or bool is not.
struct Field {
  Field(std::string_view k, std::string_view v) : key(k), value(v), quoted(true) {}
  Field(std::string_view k, const std::string& v) : key(k), value(v), quoted(true) {}
  Field(std::string_view k, const char* v) : key(k), value(v), quoted(true) {}
  Field(std::string_view k, bool v) : key(k), value(v ? "true" : "false"), quoted(false) {}
  template <std::integral T>
  Field(std::string_view k, T v) : key(k), value(std::to_string(v)), quoted(false) {}
  Field(std::string_view k, double v);

  std::string_view key;
  std::string value;
  bool quoted;
};

// The spdlog pattern and message shape for `format`, on spdlog's default logger (JSON:
// UTC time stamps, RFC 3339 with milliseconds). Call once at start, before other threads log.
void setFormat(Format format);
Format format();
// "text" / "json"; nullopt-like false for anything else.
bool parseFormat(std::string_view text, Format& out);

// The message part of a line: `event k=v ...` (text) or `"event":"...","k":"v"` (json,
// the members inside the object the pattern opens and closes).
std::string render(Format format, std::string_view event, std::initializer_list<Field> fields);

inline void write(spdlog::level::level_enum level, std::string_view event, std::initializer_list<Field> fields) {
  if (spdlog::should_log(level)) {
    spdlog::log(level, "{}", render(format(), event, fields));
  }
}

inline void debug(std::string_view event, std::initializer_list<Field> fields = {}) {
  write(spdlog::level::debug, event, fields);
}
inline void info(std::string_view event, std::initializer_list<Field> fields = {}) {
  write(spdlog::level::info, event, fields);
}
inline void warn(std::string_view event, std::initializer_list<Field> fields = {}) {
  write(spdlog::level::warn, event, fields);
}
inline void error(std::string_view event, std::initializer_list<Field> fields = {}) {
  write(spdlog::level::err, event, fields);
}
inline void critical(std::string_view event, std::initializer_list<Field> fields = {}) {
  write(spdlog::level::critical, event, fields);
}

}  // namespace medrtc::log
