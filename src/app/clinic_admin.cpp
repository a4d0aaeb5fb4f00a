#include "app/clinic_admin.hpp"
#include "log/log.hpp"

#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <iostream>

#include "clinic/auth_service.hpp"
#include "clinic/password.hpp"
#include "clinic/secrets.hpp"
#include "clinic/tenant_rules.hpp"
#include "clinic/totp.hpp"
#include "app/security_config.hpp"
#include "app/serve_config.hpp"
#include "compliance/policy_profile.hpp"
#include "compliance/rules.hpp"

namespace medrtc::app {

namespace {

int64_t unixNow() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool validRole(const std::string& role) { return role == "admin" || role == "practitioner" || role == "staff"; }

// The profile `name` names ("" = none); false after printing the file:line error.
bool loadProfile(const std::string& name, const std::filesystem::path& dir,
                 std::optional<compliance::PolicyProfile>& out, std::ostream& err) {
  if (name.empty()) {
    return true;
  }
  auto loaded = compliance::loadPolicyByName(name, dir.empty() ? defaultPoliciesDir() : dir);
  if (!loaded) {
    err << "medrtc: " << loaded.error().toString() << std::endl;
    return false;
  }
  out = std::move(loaded).value();
  return true;
}

const compliance::PolicyProfile* ptr(const std::optional<compliance::PolicyProfile>& p) {
  return p ? &*p : nullptr;
}

}  // namespace

int createTenant(store::Store& store, const CreateTenantArgs& a, std::ostream& out, std::ostream& err) {
  if (a.name.empty() || a.name.size() > 200) {
    err << "medrtc: --name must be 1 to 200 characters" << std::endl;
    return 2;
  }
  if (a.idleMinutes < 1 || a.idleMinutes > static_cast<int>(kMaxTenantIdleMinutes)) {
    err << "medrtc: --idle-minutes must be 1 to " << kMaxTenantIdleMinutes << std::endl;
    return 2;
  }
  std::optional<compliance::PolicyProfile> own;
  std::optional<compliance::PolicyProfile> node;
  if (!loadProfile(a.policy, a.policiesDir, own, err) || !loadProfile(a.nodePolicy, a.policiesDir, node, err)) {
    return 2;
  }
  store::TenantRecord t;
  t.name = a.name;
  t.displayName = a.displayName;
  t.primaryColor = a.primaryColor;
  t.policyProfile = a.policy;
  t.region = a.region;
  t.requireTotp = a.requireTotp;
  t.idleLogoffMinutes = a.idleMinutes;
  t.createdAt = unixNow();
  // The same rules as the first-run setup page (clinic/tenant_rules.hpp).
  clinic::TenantCheck check = clinic::checkNewTenant(t, ptr(own), ptr(node));
  if (check.refusal) {
    err << "medrtc: " << *check.refusal << std::endl;
    return 2;
  }
  if (check.totpImplied) {
    // stdout keeps only the id for scripts.
    t.requireTotp = true;
    check.totpImplied->detail = "--require-totp implied: every user of this tenant must be created with --totp";
    err << "medrtc: " << check.totpImplied->message() << std::endl;
  }
  t = store.createTenant(t);
  log::info("tenant_created", {{"tenant", t.id}, {"policy", t.policyProfile}, {"region", t.region}});
  out << t.id << std::endl;
  return 0;
}

int createUser(store::Store& store, const CreateUserArgs& a, std::istream& in, std::ostream& out, std::ostream& err) {
  std::string email = clinic::normalizeEmail(a.email);
  if (email.size() < 3 || email.size() > 254 || email.find('@') == std::string::npos) {
    err << "medrtc: --email must be an email address" << std::endl;
    return 2;
  }
  if (!validRole(a.role)) {
    err << "medrtc: --role must be admin, practitioner or staff" << std::endl;
    return 2;
  }
  auto tenant = store.findTenant(a.tenantId);
  if (!tenant) {
    err << "medrtc: no tenant " << a.tenantId << " (create one with `medrtc admin create-tenant`)" << std::endl;
    return 2;
  }
  std::optional<compliance::PolicyProfile> own;
  std::optional<compliance::PolicyProfile> node;
  if (!loadProfile(tenant->policyProfile, a.policiesDir, own, err) ||
      !loadProfile(a.nodePolicy, a.policiesDir, node, err)) {
    return 2;
  }
  // Every role (admin, practitioner, staff) is a workforce account (H8).
  if (auto v = compliance::checkStaffAccount(ptr(own), ptr(node), a.totp)) {
    err << "medrtc: " << v->message() << "; add --totp" << std::endl;
    return 2;
  }
  if (store.findUserByEmail(email)) {
    err << "medrtc: a user with this email exists already" << std::endl;
    return 2;
  }
  std::string password;
  bool generated = !a.passwordStdin;
  if (a.passwordStdin) {
    std::getline(in, password);
    if (!password.empty() && password.back() == '\r') {
      password.pop_back();
    }
    if (password.size() < clinic::kMinPasswordChars || password.size() > clinic::kMaxPasswordBytes) {
      err << "medrtc: the password must be at least " << clinic::kMinPasswordChars << " characters" << std::endl;
      return 2;
    }
  } else {
    password = clinic::randomToken().substr(0, 20);
  }
  if (tenant->requireTotp && !a.totp) {
    err << "medrtc: this tenant requires TOTP; add --totp" << std::endl;
    return 2;
  }
  store::UserRecord u;
  u.tenantId = tenant->id;
  u.email = email;
  u.displayName = a.displayName;
  u.role = a.role;
  u.passwordHash = clinic::hashPassword(password);
  std::string secret;
  if (a.totp) {
    secret = clinic::base32Encode(clinic::newTotpSecret());
    u.totpSecret = secret;
  }
  u.createdAt = unixNow();
  u = store.createUser(u);
  log::info("user_created", {{"user", u.id}, {"tenant", u.tenantId}, {"role", u.role}, {"totp", a.totp}});
  out << u.id << std::endl;
  if (generated) {
    out << "password " << password << std::endl;
  }
  if (a.totp) {
    out << clinic::otpauthUri(tenant->name.empty() ? "medrtc" : tenant->name, email, secret) << std::endl;
    out << "secret " << secret << std::endl;
  }
  err << "created user " << u.id << "; the password" << (a.totp ? " and the TOTP secret are" : " is")
      << " shown only this once" << std::endl;
  return 0;
}

void printFirstAdminHint(store::Store& store, const std::filesystem::path& dataDir, std::ostream& err) {
  if (store.countUsers() > 0) {
    return;
  }
  std::string dir = dataDir.string();
  err << "medrtc: no clinic accounts yet. Open the setup link serve prints on stdout (/setup#t=...), or create the "
         "first admin with:\n"
      << "  medrtc admin create-tenant --data-dir " << dir << " --name \"Your practice\" [--policy kbv] "
      << "[--region eu-de] [--require-totp]\n"
      << "  medrtc admin create-user --data-dir " << dir
      << " --tenant <tenant id> --email you@example.org --role admin --totp [--password-stdin]\n"
      << "then sign in at /login." << std::endl;
}

ClinicAdminCommands::ClinicAdminCommands(CLI::App* admin) {
  createTenant_ = admin->add_subcommand("create-tenant", "create a tenant (an organisation) and print its id");
  dataDirOptions_.push_back(createTenant_->add_option("--data-dir", dataDir_, "data directory (default ./data)"));
  createTenant_->add_option("--database", database_, "postgres://... when serve uses PostgreSQL (default: SQLite)");
  createTenant_->add_option("--name", tenant_.name, "the organisation's name")->required();
  createTenant_->add_option("--display-name", tenant_.displayName, "branding: the name shown on pages");
  createTenant_->add_option("--primary-color", tenant_.primaryColor, "branding: a CSS colour, e.g. #0b5cad");
  createTenant_->add_option("--policy", tenant_.policy, "policy profile name (kbv, hipaa, gdpr, hds)");
  createTenant_->add_option("--region", tenant_.region, "data region, e.g. eu-de");
  createTenant_->add_flag("--require-totp", tenant_.requireTotp, "every user must sign in with TOTP");
  createTenant_->add_option("--idle-minutes", tenant_.idleMinutes,
                            "idle logoff after N minutes (default 15; at most the profile's)");

  createUser_ = admin->add_subcommand("create-user", "create a user of a tenant and print its id");
  dataDirOptions_.push_back(createUser_->add_option("--data-dir", dataDir_, "data directory (default ./data)"));
  createUser_->add_option("--database", database_, "postgres://... when serve uses PostgreSQL (default: SQLite)");
  createUser_->add_option("--tenant", user_.tenantId, "the tenant id")->required();
  createUser_->add_option("--email", user_.email, "sign-in email")->required();
  createUser_->add_option("--role", user_.role, "admin, practitioner (default) or staff");
  createUser_->add_option("--display-name", user_.displayName, "name shown to patients");
  createUser_->add_flag("--password-stdin", user_.passwordStdin,
                        "read the password from the first line of stdin (else one is generated and printed)");
  createUser_->add_flag("--totp", user_.totp, "enrol TOTP; prints the otpauth URI and secret once");
  addPolicyOptions(createTenant_);
  addPolicyOptions(createUser_);
}

void ClinicAdminCommands::addPolicyOptions(CLI::App* command) {
  command->add_option("--config", config_,
                      "serve's TOML file: its data_dir, database, policy and policies_dir apply here too")
      ->check(CLI::ExistingFile);
  command->add_option("--node-policy", nodePolicy_, "the policy serve runs with (--policy), when not in --config");
  command->add_option("--policies-dir", policiesDir_, "where kbv.toml etc. are (default: as serve)");
}

bool ClinicAdminCommands::parsed() const { return createTenant_->parsed() || createUser_->parsed(); }

int ClinicAdminCommands::run(std::istream& in, std::ostream& out, std::ostream& err) const {
  std::filesystem::path dataDir = dataDir_;
  std::string database = database_;
  std::filesystem::path policiesDir = policiesDir_;
  std::string nodePolicy = nodePolicy_;
  if (!config_.empty()) {
    // The same file serve reads; flags given here win, as they do for serve.
    ServeConfig config;
    applyConfigFile(config_, config);
    applySecurityConfigFile(config_, config.security);
    bool dataDirGiven = false;
    for (const CLI::Option* o : dataDirOptions_) {
      dataDirGiven = dataDirGiven || o->count() > 0;
    }
    if (!dataDirGiven) {
      dataDir = config.dataDir;
    }
    if (database.empty()) {
      database = config.database;
    }
    if (policiesDir.empty()) {
      policiesDir = config.security.policiesDir;
    }
    if (nodePolicy.empty()) {
      nodePolicy = config.security.policy;
    }
  }
  std::unique_ptr<store::Store> store = openStore(database, dataDir);
  if (createTenant_->parsed()) {
    CreateTenantArgs args = tenant_;
    args.policiesDir = policiesDir;
    args.nodePolicy = nodePolicy;
    return createTenant(*store, args, out, err);
  }
  CreateUserArgs args = user_;
  args.policiesDir = policiesDir;
  args.nodePolicy = nodePolicy;
  return createUser(*store, args, in, out, err);
}

}  // namespace medrtc::app
