#pragma once
// `medrtc admin ...`: operator commands on the same data directory as `serve`.
#include <filesystem>
#include <iosfwd>
#include <optional>
#include <string>

#include "common/clock.hpp"
#include "compliance/policy_profile.hpp"
#include "compliance/store_sealing.hpp"

namespace CLI {
class App;
}

namespace medrtc::app {

// Creates an API key, stores its hash, and prints the key (once) to `out`. The key reaches
// the rooms of `tenantId`; empty: a node-operator key (rooms without a tenant only). An
// unknown tenant is exit code 2.
int createApiKeyCommand(const std::filesystem::path& dataDir, const std::string& name, std::ostream& out,
                        std::ostream& err, const std::string& tenantId = "");

// Crypto-shredding of one subject ("u_…" user, "a_…" appointment, a guest id of the audit
// log): destroys its key in <data>/audit/subject-keys/, which the audit log and the store
// share, and replaces a user's email index. Prints what happened; 1 when nothing was
// known about the subject. The audit chain is untouched and still verifies.
int eraseSubjectCommand(compliance::SealedStore& store, const std::string& subjectId, std::ostream& out,
                        std::ostream& err);

// One run of serve's retention job (compliance/store_retention.hpp) at `clock`'s time.
// Prints the counts. Writes no audit event: the audit log belongs to the running serve.
int purgeCommand(compliance::SealedStore& store, const Clock& clock, const compliance::PolicyProfile* nodeProfile,
                 const std::filesystem::path& policiesDir, std::ostream& out, std::ostream& err);

// "2026-01-01T00:00:00Z" or with milliseconds; nullopt when malformed.
std::optional<std::chrono::system_clock::time_point> parseRfc3339(const std::string& text);

// Adds erase-subject and purge under `admin`.
class PrivacyAdminCommands {
 public:
  explicit PrivacyAdminCommands(CLI::App* admin);
  bool parsed() const;
  int run(std::ostream& out, std::ostream& err) const;

 private:
  CLI::App* erase_ = nullptr;
  CLI::App* purge_ = nullptr;
  std::string dataDir_ = "data";
  std::string database_;
  std::string subject_;
  std::string policy_;
  std::string policiesDir_;
  std::string now_;
};

}  // namespace medrtc::app
