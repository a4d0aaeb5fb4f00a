#pragma once
// Helpers for the consultation tests: a signed-in practitioner, a booked appointment,
// a redeemed invitation.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <string>

#include "clinic/rfc3339.hpp"
#include "clinic/totp.hpp"
#include "test_support.hpp"

namespace medrtc::signaling::testing {

struct Booking {
  std::string appointmentId;
  std::string roomId;
  std::string invitationId;
  std::string linkToken;  // from the url's #i=
  std::string code;
};

inline Booking book(ClinicClient& practitioner, TestServer& server, int64_t startIn = 600, int64_t minutes = 30) {
  int64_t now = server.wallSeconds();
  boost::json::object body{{"start", clinic::formatRfc3339(now + startIn)}, {"end", clinic::formatRfc3339(now + startIn + minutes * 60)},
                           {"title", "Follow-up"}};
  HttpResult r = practitioner.call("POST", "/api/v1/appointments", boost::json::serialize(body));
  Booking b;
  if (r.status != 201) {
    ADD_FAILURE() << "booking failed: " << r.status << " " << r.body;
    return b;
  }
  auto o = r.json().as_object();
  b.appointmentId = str(o.at("id"));
  b.roomId = str(o.at("room_id"));
  const auto& inv = o.at("invitation").as_object();
  b.invitationId = str(inv.at("id"));
  std::string url = str(inv.at("url"));
  b.linkToken = url.substr(url.find("#i=") + 3);
  b.code = str(inv.at("code"));
  return b;
}

// POST /api/v1/invitations/redeem with a link token.
inline HttpResult redeemLink(TestServer& server, const std::string& token, const std::string& name) {
  return httpRequest(server.port(), "POST", "/api/v1/invitations/redeem",
                     boost::json::serialize(boost::json::object{{"token", token}, {"name", name}}));
}

inline std::string joinTokenOf(const HttpResult& r) { return str(r.json().at("join_token")); }

inline std::string hostToken(ClinicClient& practitioner, const std::string& appointmentId) {
  HttpResult r = practitioner.call("POST", "/api/v1/appointments/" + appointmentId + "/host-token");
  if (r.status != 200) {
    ADD_FAILURE() << "host-token failed: " << r.status << " " << r.body;
    return "";
  }
  return str(r.json().at("token"));
}

}  // namespace medrtc::signaling::testing
