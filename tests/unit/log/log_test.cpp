// Log lines as events (log/log.hpp): the text and JSON renderings of one event, and values
// that cannot break out of their field or line.
#include "log/log.hpp"

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

#include <boost/json.hpp>
#include <sstream>

namespace medrtc::log {
namespace {

TEST(Log, TextIsTheEventThenKeyValuePairs) {
  EXPECT_EQ(render(Format::kText, "room_opened", {{"room", "r_1"}, {"worker", 0}, {"tcp", true}}),
            "room_opened room=r_1 worker=0 tcp=true");
  EXPECT_EQ(render(Format::kText, "server_stopped", {}), "server_stopped");
  // An empty value still shows the key; spaces and line breaks cannot forge fields or lines.
  EXPECT_EQ(render(Format::kText, "e", {{"region", ""}, {"error", "a b\nsign_in_failed user=u_1"}}),
            "e region=- error=a_b_sign_in_failed_user=u_1");
}

TEST(Log, JsonMembersEscapeQuotesAndControlCharacters) {
  std::string members =
      render(Format::kJson, "media_failed", {{"room", "r_\"1\""}, {"count", int64_t{3}}, {"error", "x\ny\\"}});
  EXPECT_EQ(members, R"("event":"media_failed","room":"r_\"1\"","count":3,"error":"x\u000ay\\")");
  auto v = boost::json::parse("{" + members + "}").as_object();
  EXPECT_EQ(v.at("room").as_string(), "r_\"1\"");
  EXPECT_EQ(v.at("count").as_int64(), 3);
  EXPECT_EQ(v.at("error").as_string(), "x\ny\\");
}

TEST(Log, JsonFormatWritesOneObjectPerLineWithTimeLevelAndEvent) {
  std::ostringstream out;
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(
      std::make_shared<spdlog::logger>("json-test", std::make_shared<spdlog::sinks::ostream_sink_mt>(out)));
  setFormat(Format::kJson);
  warn("accept_failed", {{"error", "too many open files"}, {"retry_in_ms", 100}});
  info("server_stopped");
  setFormat(Format::kText);
  info("server_stopped");
  spdlog::set_default_logger(previous);

  std::istringstream lines(out.str());
  std::string line;
  std::getline(lines, line);
  auto first = boost::json::parse(line).as_object();
  EXPECT_EQ(first.at("level").as_string(), "warning");
  EXPECT_EQ(first.at("event").as_string(), "accept_failed");
  EXPECT_EQ(first.at("retry_in_ms").as_int64(), 100);
  std::string time(first.at("time").as_string());
  EXPECT_EQ(time.size(), 24u) << time;  // 2026-12-04T21:00:00.123Z
  EXPECT_EQ(time.back(), 'Z');
  std::getline(lines, line);
  EXPECT_EQ(boost::json::parse(line).at("event").as_string(), "server_stopped");
  std::getline(lines, line);
  EXPECT_NE(line.find("[info] server_stopped"), std::string::npos) << line;
}

}  // namespace
}  // namespace medrtc::log
