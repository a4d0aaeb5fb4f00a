#pragma once
// `medrtc admin create-tenant` and `medrtc admin create-user` (docs/consultation-api.md
// "People and roles"), on the same data directory as `serve`; and the first-start hint.
#include <filesystem>
#include <iosfwd>
#include <string>

#include "store/store.hpp"

namespace CLI {
class App;
}

namespace medrtc::app {

struct CreateTenantArgs {
  std::string name;
  std::string displayName;
  std::string primaryColor;
  std::string policy;
  std::string region;
  bool requireTotp = false;
  int idleMinutes = 15;
};

struct CreateUserArgs {
  std::string tenantId;
  std::string email;
  std::string role = "practitioner";
  std::string displayName;
  bool passwordStdin = false;  // else a random password is printed once
  bool totp = false;
};

// Print the new tenant id on `out`. Refusals (bad arguments) go to `err` with exit 2.
int createTenant(store::Store& store, const CreateTenantArgs& args, std::ostream& out, std::ostream& err);
// Prints the user id; a generated password ("password <p>"); with TOTP the otpauth URI and
// "secret <base32>" — each once. `in` supplies the password with passwordStdin.
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
  CLI::App* createTenant_ = nullptr;
  CLI::App* createUser_ = nullptr;
  std::string dataDir_ = "data";
  std::string database_;  // empty: SQLite in the data dir (as serve)
  CreateTenantArgs tenant_;
  CreateUserArgs user_;
};

}  // namespace medrtc::app
