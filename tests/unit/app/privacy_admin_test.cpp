// `medrtc admin erase-subject` and `medrtc admin purge` on a data dir, as an operator
// runs them next to serve.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "app/admin.hpp"
#include "app/serve_config.hpp"
#include "common/random.hpp"
#include "compliance/test_support.hpp"

namespace medrtc::app {
namespace {

using compliance::testing::TempDir;

struct Seeded {
  std::string userId, appointmentId;
};

Seeded seed(store::Store& store) {
  store::TenantRecord t;
  t.name = "Praxis";
  std::string tenantId = store.createTenant(t).id;
  store::UserRecord u;
  u.tenantId = tenantId;
  u.email = "doc@praxis.example";
  u.displayName = "Dr. Doc";
  u.role = "practitioner";
  store::AppointmentRecord a;
  a.tenantId = tenantId;
  a.status = "fulfilled";
  a.start = 1'800'000'000;
  a.end = 1'800'001'800;  // 2027-01-15
  a.title = "Kontrolle";
  a.roomId = "r_" + randomHex(8);
  return {store.createUser(u).id, store.createAppointment(a).id};
}

TEST(PrivacyAdmin, EraseSubjectShredsAUserAndSaysWhenNothingWasKnown) {
  TempDir dir;
  Seeded s;
  {
    auto store = openStore("", dir.path());
    s = seed(*store);
  }
  std::ostringstream out, err;
  auto store = openStore("", dir.path());  // a fresh process: keys come from the files
  EXPECT_EQ(eraseSubjectCommand(*store, s.userId, out, err), 0);
  EXPECT_EQ(out.str(), "erased subject " + s.userId + "\n");
  EXPECT_TRUE(store->findUser(s.userId)->erased);
  EXPECT_FALSE(store->findUserByEmail("doc@praxis.example"));
  EXPECT_EQ(eraseSubjectCommand(*store, "u_unknown", out, err), 1);
  EXPECT_NE(err.str().find("no key and no user for subject u_unknown"), std::string::npos);
  EXPECT_EQ(eraseSubjectCommand(*store, "", out, err), 2);
}

TEST(PrivacyAdmin, PurgeAtAGivenTimeUnderKbv) {
  TempDir dir;
  auto store = openStore("", dir.path());
  Seeded s = seed(*store);
  auto kbv = compliance::loadPolicyByName("kbv", compliance::testing::policiesDir());
  ASSERT_TRUE(kbv);
  auto at = [](const char* text) {
    auto t = parseRfc3339(text);
    EXPECT_TRUE(t) << text;
    return t.value_or(std::chrono::system_clock::time_point{});
  };
  ManualClock clock;
  std::ostringstream out, err;
  clock.setWall(at("2027-04-14T00:00:00Z"));  // 89 days after the end
  EXPECT_EQ(purgeCommand(*store, clock, &*kbv, compliance::testing::policiesDir(), out, err), 0);
  EXPECT_TRUE(store->findAppointment(s.appointmentId));
  clock.setWall(at("2027-04-17T00:00:00.000Z"));  // 92 days
  EXPECT_EQ(purgeCommand(*store, clock, &*kbv, compliance::testing::policiesDir(), out, err), 0);
  EXPECT_FALSE(store->findAppointment(s.appointmentId));
  EXPECT_NE(out.str().find("purged appointments=1 "), std::string::npos) << out.str();
  EXPECT_TRUE(store->findUser(s.userId));  // accounts are not metadata
}

TEST(PrivacyAdmin, NowMustBeRfc3339Utc) {
  EXPECT_TRUE(parseRfc3339("2027-02-19T00:00:00Z"));
  EXPECT_TRUE(parseRfc3339("2027-02-19T00:00:00.250Z"));
  EXPECT_FALSE(parseRfc3339("2027-02-19"));
  EXPECT_FALSE(parseRfc3339("2027-02-19T00:00:00+01:00"));
  EXPECT_FALSE(parseRfc3339("yesterday"));
}

}  // namespace
}  // namespace medrtc::app
