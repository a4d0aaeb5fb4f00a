// `medrtc admin create-tenant` / `create-user` and the first-start hint.
#include "app/clinic_admin.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "app/cli.hpp"
#include "cli_run.hpp"
#include "compliance/test_support.hpp"
#include "clinic/password.hpp"
#include "clinic/totp.hpp"
#include "common/random.hpp"
#include "store/sqlite_store.hpp"

namespace medrtc::app {
namespace {

using compliance::testing::policiesDir;

CreateUserArgs withDir(CreateUserArgs a) {
  a.policiesDir = policiesDir();
  return a;
}

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
    a.policiesDir = policiesDir();
    EXPECT_EQ(createTenant(*store_, a, out, err), 0) << err.str();
    std::string id = out.str();
    return id.substr(0, id.find('\n'));
  }

  // A tenant record as an older medrtc stored it: a profile, but no --require-totp.
  std::string storedTenant(const std::string& policy) {
    store::TenantRecord t;
    t.name = "Praxis";
    t.policyProfile = policy;
    return store_->createTenant(t).id;
  }
  int user(const std::string& tenantId, bool totp, std::string& err, const std::string& nodePolicy = "") {
    std::istringstream in;
    std::ostringstream out, errStream;
    CreateUserArgs a{tenantId, "weber@example.org", "practitioner", "", false, totp};
    a.policiesDir = policiesDir();
    a.nodePolicy = nodePolicy;
    int rc = createUser(*store_, a, in, out, errStream);
    err = errStream.str();
    return rc;
  }
  int tenantWith(CreateTenantArgs a, std::string& err) {
    std::ostringstream out, errStream;
    a.name = "Praxis";
    a.policiesDir = policiesDir();
    int rc = createTenant(*store_, a, out, errStream);
    err = errStream.str();
    return rc;
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
  CreateUserArgs u{t, "admin@example.org", "admin", "", true, true};
  u.policiesDir = policiesDir();
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
  a.policiesDir = policiesDir();
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
  EXPECT_EQ(createUser(*store_, withDir(CreateUserArgs{t, "a@b.c", "practitioner", "", true, true}), in, out, err), 2);
  std::istringstream in2;
  EXPECT_EQ(createUser(*store_, withDir(CreateUserArgs{t, "a@b.c", "doctor", "", false, true}), in2, out, err), 2);
  EXPECT_EQ(createUser(*store_, withDir(CreateUserArgs{"t_nope", "a@b.c", "staff", "", false, true}), in2, out, err), 2);
  EXPECT_EQ(createUser(*store_, withDir(CreateUserArgs{t, "not-an-email", "staff", "", false, true}), in2, out, err), 2);
  // The tenant requires TOTP.
  EXPECT_EQ(createUser(*store_, withDir(CreateUserArgs{t, "a@b.c", "staff", "", false, false}), in2, out, err), 2);
  ASSERT_EQ(createUser(*store_, withDir(CreateUserArgs{t, "a@b.c", "staff", "", false, true}), in2, out, err), 0);
  EXPECT_NE(out.str().find("password "), std::string::npos);  // generated and shown once
  EXPECT_EQ(createUser(*store_, withDir(CreateUserArgs{t, "A@B.C", "staff", "", false, true}), in2, out, err), 2);  // taken
}

// ---- policy profiles (H8 staff MFA, H3 idle logoff, K1/F1 storage region)

TEST_F(ClinicAdmin, CreateUserWithoutTotpUnderKbvIsRefusedNamingTheRule) {
  std::string t = storedTenant("kbv");
  std::string err;
  EXPECT_EQ(user(t, /*totp=*/false, err), 2);
  EXPECT_NE(err.find("policy kbv: rule accounts.staff_mfa_required=true: staff account without MFA refused"),
            std::string::npos)
      << err;
  EXPECT_FALSE(store_->findUserByEmail("weber@example.org"));
}

TEST_F(ClinicAdmin, CreateUserWithTotpUnderKbvIsCreated) {
  std::string t = storedTenant("kbv");
  std::string err;
  ASSERT_EQ(user(t, /*totp=*/true, err), 0) << err;
  auto u = store_->findUserByEmail("weber@example.org");
  ASSERT_TRUE(u);
  EXPECT_FALSE(u->totpSecret.empty());
}

TEST_F(ClinicAdmin, GdprTenantAllowsAUserWithoutTotp) {
  std::string t = storedTenant("gdpr");
  std::string err;
  EXPECT_EQ(user(t, /*totp=*/false, err), 0) << err;
}

TEST_F(ClinicAdmin, TheNodesPolicyGovernsATenantWithoutItsOwn) {
  std::string plain = storedTenant("");
  std::string err;
  EXPECT_EQ(user(plain, false, err, /*nodePolicy=*/"hipaa"), 2);
  EXPECT_NE(err.find("policy hipaa: rule accounts.staff_mfa_required=true"), std::string::npos) << err;
  // A laxer tenant profile does not lift the node's rule.
  std::string gdpr = storedTenant("gdpr");
  EXPECT_EQ(user(gdpr, false, err, "kbv"), 2);
  EXPECT_NE(err.find("policy kbv: rule accounts.staff_mfa_required=true"), std::string::npos) << err;
  EXPECT_EQ(user(plain, false, err), 0) << err;  // no profile anywhere
}

TEST_F(ClinicAdmin, CreateTenantUnderKbvImpliesRequireTotpAndSaysSo) {
  std::ostringstream out, err;
  CreateTenantArgs a;
  a.name = "Praxis";
  a.policy = "kbv";
  a.region = "eu-de";
  a.policiesDir = policiesDir();
  ASSERT_EQ(createTenant(*store_, a, out, err), 0) << err.str();
  std::string id = out.str().substr(0, out.str().find('\n'));
  EXPECT_EQ(out.str(), id + "\n");  // stdout: only the id, for scripts
  EXPECT_NE(err.str().find("policy kbv: rule accounts.staff_mfa_required=true: --require-totp implied"),
            std::string::npos)
      << err.str();
  EXPECT_TRUE(store_->findTenant(id)->requireTotp);
  // gdpr requires no MFA: nothing implied.
  std::ostringstream out2, err2;
  a.policy = "gdpr";
  ASSERT_EQ(createTenant(*store_, a, out2, err2), 0) << err2.str();
  EXPECT_FALSE(store_->findTenant(out2.str().substr(0, out2.str().find('\n')))->requireTotp);
  EXPECT_TRUE(err2.str().empty()) << err2.str();
}

TEST_F(ClinicAdmin, IdleLongerThanTheProfileIsRefusedNamingTheRule) {
  std::string err;
  CreateTenantArgs a;
  a.policy = "kbv";
  a.idleMinutes = 30;
  EXPECT_EQ(tenantWith(a, err), 2);
  EXPECT_NE(err.find("policy kbv: rule session.idle_logoff_minutes=15: --idle-minutes 30 is longer"),
            std::string::npos)
      << err;
  EXPECT_EQ(store_->countTenants(), 0);
  a.policy = "gdpr";  // allows 30
  EXPECT_EQ(tenantWith(a, err), 0) << err;
  a.policy = "";
  a.nodePolicy = "hipaa";  // the node's cap applies to a tenant without its own
  EXPECT_EQ(tenantWith(a, err), 2);
  EXPECT_NE(err.find("policy hipaa: rule session.idle_logoff_minutes=15"), std::string::npos) << err;
}

TEST_F(ClinicAdmin, RegionOutsideTheProfilesStorageRegionsIsRefused) {
  std::string err;
  CreateTenantArgs a;
  a.policy = "kbv";
  a.region = "us-east";
  EXPECT_EQ(tenantWith(a, err), 2);
  EXPECT_NE(err.find("policy kbv: rule regions.storage=["), std::string::npos) << err;
  EXPECT_NE(err.find("\"us-east\" is outside the allowed regions"), std::string::npos) << err;
  a.policy = "hipaa";
  EXPECT_EQ(tenantWith(a, err), 0) << err;
}

TEST_F(ClinicAdmin, UnknownPolicyIsRefused) {
  std::string err;
  CreateTenantArgs a;
  a.policy = "kvb";
  EXPECT_EQ(tenantWith(a, err), 2);
  EXPECT_NE(err.find("kvb"), std::string::npos) << err;
}

TEST_F(ClinicAdmin, CommandLineReadsTheNodePolicyFromServesConfig) {
  auto config = dir_ / "medrtc.toml";
  std::ofstream(config) << "policy = \"kbv\"\nregion = \"eu-de\"\ndata_dir = \"" << (dir_ / "data").string()
                        << "\"\npolicies_dir = \"" << policiesDir().string() << "\"\n";
  auto run = [](std::vector<std::string> args) {
    auto r = testing::runMedrtc(std::move(args));
    return std::make_tuple(r.rc, r.out, r.err);
  };
  auto [rc, out, err] = run({"medrtc", "admin", "create-tenant", "--config", config.string(), "--name", "Praxis"});
  ASSERT_EQ(rc, 0) << err;
  std::string id = out.substr(0, out.find('\n'));
  EXPECT_NE(err.find("--require-totp implied"), std::string::npos) << err;  // from the node's kbv
  EXPECT_TRUE(std::filesystem::exists(dir_ / "data" / "medrtc.db"));      // data_dir from the file
  auto [rc2, out2, err2] = run({"medrtc", "admin", "create-user", "--config", config.string(), "--tenant", id,
                                "--email", "weber@example.org"});
  EXPECT_EQ(rc2, 2);
  EXPECT_NE(err2.find("policy kbv: rule accounts.staff_mfa_required=true: staff account without MFA refused"),
            std::string::npos)
      << err2;
  auto [rc3, out3, err3] = run({"medrtc", "admin", "create-user", "--config", config.string(), "--tenant", id,
                                "--email", "weber@example.org", "--totp"});
  EXPECT_EQ(rc3, 0) << err3;
  EXPECT_NE(out3.find("otpauth://totp/"), std::string::npos);
}

}  // namespace
}  // namespace medrtc::app
