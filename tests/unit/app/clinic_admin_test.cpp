// `medrtc admin create-tenant` / `create-user` and the first-start hint.
#include "app/clinic_admin.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "clinic/password.hpp"
#include "clinic/totp.hpp"
#include "common/random.hpp"
#include "store/sqlite_store.hpp"

namespace medrtc::app {
namespace {

class ClinicAdmin : public ::testing::Test {
 protected:
  ClinicAdmin() : dir_(std::filesystem::temp_directory_path() / ("medrtc-admin-" + randomHex(6))) {
    std::filesystem::create_directories(dir_);
    store_ = std::make_unique<store::SqliteStore>(dir_ / "medrtc.db");
  }
  ~ClinicAdmin() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::string tenant(bool requireTotp = false) {
    std::ostringstream out, err;
    CreateTenantArgs a;
    a.name = "Praxis Weber";
    a.policy = "kbv";
    a.region = "eu-de";
    a.requireTotp = requireTotp;
    EXPECT_EQ(createTenant(*store_, a, out, err), 0) << err.str();
    std::string id = out.str();
    return id.substr(0, id.find('\n'));
  }

  std::filesystem::path dir_;
  std::unique_ptr<store::SqliteStore> store_;
};

TEST_F(ClinicAdmin, FreshDataDirExplainsHowToCreateTheFirstAdmin) {
  std::ostringstream err;
  printFirstAdminHint(*store_, dir_, err);
  EXPECT_NE(err.str().find("medrtc admin create-tenant --data-dir " + dir_.string()), std::string::npos);
  EXPECT_NE(err.str().find("medrtc admin create-user"), std::string::npos);
  std::string t = tenant();
  std::istringstream in("a long enough password\n");
  std::ostringstream out, err2;
  CreateUserArgs u{t, "admin@example.org", "admin", "", true, false};
  ASSERT_EQ(createUser(*store_, u, in, out, err2), 0) << err2.str();
  std::ostringstream after;
  printFirstAdminHint(*store_, dir_, after);
  EXPECT_TRUE(after.str().empty());
}

TEST_F(ClinicAdmin, CreateTenantPrintsItsId) {
  std::string id = tenant(true);
  EXPECT_EQ(id.substr(0, 2), "t_");
  auto t = store_->findTenant(id);
  ASSERT_TRUE(t);
  EXPECT_TRUE(t->requireTotp);
  EXPECT_EQ(t->policyProfile, "kbv");
  EXPECT_EQ(t->region, "eu-de");
}

TEST_F(ClinicAdmin, CreateUserWithStdinPasswordAndTotp) {
  std::string t = tenant(true);
  std::istringstream in("correct horse battery\n");
  std::ostringstream out, err;
  CreateUserArgs a{t, " Weber@Example.org", "practitioner", "Dr. Weber", true, true};
  ASSERT_EQ(createUser(*store_, a, in, out, err), 0) << err.str();
  std::istringstream lines(out.str());
  std::string id, uri, secretLine;
  std::getline(lines, id);
  std::getline(lines, uri);
  std::getline(lines, secretLine);
  EXPECT_EQ(id.substr(0, 2), "u_");
  EXPECT_EQ(uri.rfind("otpauth://totp/", 0), 0u);
  ASSERT_EQ(secretLine.rfind("secret ", 0), 0u);
  auto user = store_->findUserByEmail("weber@example.org");
  ASSERT_TRUE(user);
  EXPECT_EQ(user->id, id);
  EXPECT_EQ(user->totpSecret, secretLine.substr(7));
  EXPECT_NE(uri.find("secret=" + user->totpSecret), std::string::npos);
  EXPECT_TRUE(clinic::verifyPassword(user->passwordHash, "correct horse battery"));
  EXPECT_EQ(out.str().find("correct horse battery"), std::string::npos);
}

TEST_F(ClinicAdmin, RefusesBadInput) {
  std::string t = tenant(true);
  std::ostringstream out, err;
  std::istringstream in("short\n");
  EXPECT_EQ(createUser(*store_, CreateUserArgs{t, "a@b.c", "practitioner", "", true, true}, in, out, err), 2);
  std::istringstream in2;
  EXPECT_EQ(createUser(*store_, CreateUserArgs{t, "a@b.c", "doctor", "", false, true}, in2, out, err), 2);
  EXPECT_EQ(createUser(*store_, CreateUserArgs{"t_nope", "a@b.c", "staff", "", false, true}, in2, out, err), 2);
  EXPECT_EQ(createUser(*store_, CreateUserArgs{t, "not-an-email", "staff", "", false, true}, in2, out, err), 2);
  // The tenant requires TOTP.
  EXPECT_EQ(createUser(*store_, CreateUserArgs{t, "a@b.c", "staff", "", false, false}, in2, out, err), 2);
  ASSERT_EQ(createUser(*store_, CreateUserArgs{t, "a@b.c", "staff", "", false, true}, in2, out, err), 0);
  EXPECT_NE(out.str().find("password "), std::string::npos);  // generated and shown once
  EXPECT_EQ(createUser(*store_, CreateUserArgs{t, "A@B.C", "staff", "", false, true}, in2, out, err), 2);  // taken
}

}  // namespace
}  // namespace medrtc::app
