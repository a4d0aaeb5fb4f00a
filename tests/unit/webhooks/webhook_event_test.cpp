// Webhook bodies: the Standard Webhooks envelope with ids only; names only opted in.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "webhooks/webhook_event.hpp"

namespace medrtc::webhooks {
namespace {

Event joined() {
  Event e;
  e.type = EventType::kParticipantJoined;
  e.tenantId = "t_1";
  e.roomId = "r_1";
  e.participantId = "p_1";
  e.role = "guest";
  e.name = "Erika Mustermann";
  e.identity = "erika@example.org";
  e.occurredAtMs = 1'700'000'000'123;
  return e;
}

TEST(WebhookEvent, BodiesCarryIdsOnlyByDefault) {
  std::string body = eventBody(joined(), false);
  EXPECT_EQ(body.find("Erika"), std::string::npos);
  EXPECT_EQ(body.find("erika@"), std::string::npos);
  boost::json::object o = boost::json::parse(body).as_object();
  EXPECT_EQ(o.at("type").as_string(), "participant_joined");
  EXPECT_EQ(o.at("timestamp").as_string(), "2023-11-14T22:13:20.123Z");
  const auto& data = o.at("data").as_object();
  EXPECT_EQ(data.at("room_id").as_string(), "r_1");
  EXPECT_EQ(data.at("tenant_id").as_string(), "t_1");
  EXPECT_EQ(data.at("participant_id").as_string(), "p_1");
  EXPECT_EQ(data.at("role").as_string(), "guest");
  EXPECT_FALSE(data.contains("name"));
}

TEST(WebhookEvent, NamesOnlyForEndpointsThatOptedIn) {
  boost::json::object data = boost::json::parse(eventBody(joined(), true)).at("data").as_object();
  EXPECT_EQ(data.at("name").as_string(), "Erika Mustermann");
  EXPECT_EQ(data.at("identity").as_string(), "erika@example.org");
}

TEST(WebhookEvent, QualityAlertsCarryTheFigures) {
  Event e = joined();
  e.type = EventType::kQualityAlert;
  e.quality = QualityFigures{0.0812345, 312.44, 2.345};
  boost::json::object data = boost::json::parse(eventBody(e, false)).at("data").as_object();
  EXPECT_NEAR(data.at("loss").as_double(), 0.0812, 1e-9);
  EXPECT_NEAR(data.at("rtt_ms").as_double(), 312.4, 1e-9);
  EXPECT_NEAR(data.at("score").as_double(), 2.35, 1e-9);
}

TEST(WebhookEvent, EveryTypeHasANameThatParsesBack) {
  EXPECT_EQ(allEventTypes().size(), 9u);
  for (EventType t : allEventTypes()) {
    EXPECT_EQ(parseEventType(eventTypeName(t)), t);
  }
  EXPECT_FALSE(parseEventType("room_ended"));
}

}  // namespace
}  // namespace medrtc::webhooks
