#pragma once
// `medrtc admin create-tenant` and `medrtc admin create-user` (docs/consultation-api.md
// "People and roles"), on the same data directory as `serve`; and the first-start hint.
// Both check the policy profiles that govern the tenant (its own --policy and the node's,
// from --config or --node-policy) the way serve's sign-in does (compliance/rules.hpp).
#include <filesystem>
#include <iosfwd>
#include <string>
#include <vector>

#include "clinic/tenant_rules.hpp"
#include "store/store.hpp"

namespace CLI {
class App;
class Option;
}

namespace medrtc::app {

using clinic::kMaxTenantIdleMinutes;

struct CreateTenantArgs {
  std::string name;
  std::string displayName;
  std::string primaryColor;
  std::string policy;
  std::string region;
  bool requireTotp = false;
  int idleMinutes = 15;
  std::filesystem::path policiesDir;  // empty: defaultPoliciesDir()
  std::string nodePolicy;             // the node's --policy; "" = none known
};

struct CreateUserArgs {
  std::string tenantId;
  std::string email;
  std::string role = "practitioner";
  std::string displayName;
  bool passwordStdin = false;  // else a random password is printed once
  bool totp = false;
  std::filesystem::path policiesDir;  // empty: defaultPoliciesDir()
  std::string nodePolicy;             // the node's --policy; "" = none known
};

// Print the new tenant id on `out`. Refusals (bad arguments, a setting the governing
// profile forbids, naming its rule) go to `err` with exit 2. Where a governing profile
// requires staff MFA, --require-totp is implied and a line on `err` says so.
int createTenant(store::Store& store, const CreateTenantArgs& args, std::ostream& out, std::ostream& err);
// Prints the user id; a generated password ("password <p>"); with TOTP the otpauth URI and
// "secret <base32>" — each once. `in` supplies the password with passwordStdin. Without
// --totp where a governing profile requires staff MFA: refused (exit 2) naming the rule.
int createUser(store::Store& store, const CreateUserArgs& args, std::istream& in, std::ostream& out,
               std::ostream& err);

// On a store without users: how to create the first admin (serve prints it to stderr).
void printFirstAdminHint(store::Store& store, const std::filesystem::path& dataDir, std::ostream& err);

class ClinicAdminCommands {
 public:
  // Adds create-tenant and create-user under `admin`.
  explicit ClinicAdminCommands(CLI::App* admin);
  bool parsed() const;
  int run(std::istream& in, std::ostream& out, std::ostream& err) const;

 private:
  void addPolicyOptions(CLI::App* command);

  CLI::App* createTenant_ = nullptr;
  CLI::App* createUser_ = nullptr;
  std::string dataDir_ = "data";
  std::string database_;  // empty: SQLite in the data dir (as serve)
  std::string config_;    // serve's TOML: data_dir, database, policy, policies_dir
  std::string policiesDir_;
  std::string nodePolicy_;
  std::vector<CLI::Option*> dataDirOptions_;
  CreateTenantArgs tenant_;
  CreateUserArgs user_;
};

}  // namespace medrtc::app
