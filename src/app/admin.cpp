#include "app/admin.hpp"

#include <CLI/CLI.hpp>
#include <chrono>
#include <ostream>

#include "app/security_config.hpp"
#include "app/serve_config.hpp"
#include "compliance/audit_event.hpp"
#include "compliance/store_retention.hpp"
#include "store/api_key.hpp"
#include "store/sqlite_store.hpp"

namespace medrtc::app {

namespace {

// The wall time an operator asked for (--now); monotonic time is not used by the purge.
class FixedClock final : public Clock {
 public:
  explicit FixedClock(std::chrono::system_clock::time_point t) : t_(t) {}
  Micros now() const override { return Micros{0}; }
  std::chrono::system_clock::time_point wallNow() const override { return t_; }

 private:
  std::chrono::system_clock::time_point t_;
};

}  // namespace

int createApiKeyCommand(const std::filesystem::path& dataDir, const std::string& name, std::ostream& out,
                        std::ostream& err) {
  prepareDataDir(dataDir);
  store::SqliteStore store(dataDir / "medrtc.db");
  std::string key = store::generateApiKey();
  int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  auto record = store::registerApiKey(store, key, name, now);
  out << key << std::endl;
  err << "created API key " << record.id << " (" << record.prefix << "…); it is shown only this once" << std::endl;
  return 0;
}

int eraseSubjectCommand(compliance::SealedStore& store, const std::string& subjectId, std::ostream& out,
                        std::ostream& err) {
  if (subjectId.empty() || subjectId.find('\n') != std::string::npos) {
    err << "medrtc: --subject must be one subject id, e.g. u_0123456789abcdef" << std::endl;
    return 2;
  }
  if (!store.eraseSubject(subjectId)) {
    err << "medrtc: no key and no user for subject " << subjectId << " (never sealed, or already erased)"
        << std::endl;
    return 1;
  }
  out << "erased subject " << subjectId << std::endl;
  return 0;
}

int purgeCommand(compliance::SealedStore& store, const Clock& clock, const compliance::PolicyProfile* nodeProfile,
                 const std::filesystem::path& policiesDir, std::ostream& out, std::ostream& err) {
  compliance::RetentionRunOptions options;
  options.nodeProfile = nodeProfile;
  options.tenantProfile = [&](const std::string& name) -> std::optional<compliance::PolicyProfile> {
    auto profile = compliance::loadPolicyByName(name, policiesDir);
    return profile ? std::optional(std::move(*profile)) : std::nullopt;
  };
  auto report = compliance::runRetention(store, store.keys(), clock, options);
  for (const auto& problem : report.problems) {
    err << "medrtc: " << problem << std::endl;
  }
  out << "purged " << report.counts.summary() << std::endl;
  return 0;
}

std::optional<std::chrono::system_clock::time_point> parseRfc3339(const std::string& text) {
  if (text.size() == 20 && text.back() == 'Z') {
    return compliance::parseInstant(text.substr(0, 19) + ".000Z");
  }
  return compliance::parseInstant(text);
}

PrivacyAdminCommands::PrivacyAdminCommands(CLI::App* admin) {
  erase_ = admin->add_subcommand(
      "erase-subject", "crypto-shred one subject (user, appointment or guest id) in the store and the audit log");
  erase_->add_option("--subject", subject_, "the subject id, e.g. u_0123456789abcdef")->required();
  purge_ = admin->add_subcommand("purge", "run the retention purge once (serve runs it at start and hourly)");
  purge_->add_option("--policy", policy_, "the node's profile (kbv, hipaa, gdpr, hds); default none");
  purge_->add_option("--policies-dir", policiesDir_, "directory of the profile files (default <exe dir>/../policies)");
  purge_->add_option("--now", now_, "purge as if it were this time (RFC 3339, e.g. 2026-03-01T00:00:00Z)");
  for (CLI::App* cmd : {erase_, purge_}) {
    cmd->add_option("--data-dir", dataDir_, "data directory (default ./data)");
    cmd->add_option("--database", database_, "postgres://… as given to serve (default: SQLite in the data dir)");
  }
}

bool PrivacyAdminCommands::parsed() const { return erase_->parsed() || purge_->parsed(); }

int PrivacyAdminCommands::run(std::ostream& out, std::ostream& err) const {
  if (erase_->parsed()) {
    auto store = openStore(database_, dataDir_);
    return eraseSubjectCommand(*store, subject_, out, err);
  }
  std::filesystem::path policiesDir = policiesDir_.empty() ? defaultPoliciesDir() : std::filesystem::path(policiesDir_);
  std::optional<compliance::PolicyProfile> profile;
  if (!policy_.empty()) {
    auto loaded = compliance::loadPolicyByName(policy_, policiesDir);
    if (!loaded) {
      err << "medrtc: " << loaded.error().toString() << std::endl;
      return 2;
    }
    profile = std::move(*loaded);
  }
  std::optional<FixedClock> fixed;
  if (!now_.empty()) {
    auto t = parseRfc3339(now_);
    if (!t) {
      err << "medrtc: --now must be RFC 3339 UTC, e.g. 2026-03-01T00:00:00Z" << std::endl;
      return 2;
    }
    fixed.emplace(*t);
  }
  auto store = openStore(database_, dataDir_);
  const Clock& clock = fixed ? static_cast<const Clock&>(*fixed) : SystemClock::instance();
  return purgeCommand(*store, clock, profile ? &*profile : nullptr, policiesDir, out, err);
}

}  // namespace medrtc::app
