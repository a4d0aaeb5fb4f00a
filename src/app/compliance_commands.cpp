#include "app/compliance_commands.hpp"

#include <CLI/CLI.hpp>
#include <fstream>
#include <ostream>

#include "app/security_setup.hpp"
#include "compliance/audit_verify.hpp"
#include "compliance/compliance_report.hpp"
#include "compliance/fhir_export.hpp"

namespace medrtc::app {

ComplianceCommands::ComplianceCommands(CLI::App& app) {
  auto* audit = app.add_subcommand("audit", "check or export the tamper-evident audit log");
  audit->require_subcommand(1);
  verify_ = audit->add_subcommand("verify", "check every event, the Merkle tree and every signed checkpoint");
  verify_->add_option("--data-dir", auditDataDir_, "data directory (default ./data)");
  verify_->add_option("--trusted-key", trustedKey_, "pin the checkpoint verifier key (note key text)");
  verify_->add_option("--witness", witness_, "also check the checkpoints serve appended to this witness file");
  verify_->footer(
      "Exit codes: 0 the log verifies (a \"warning: unsigned tail\" line when events after the last "
      "checkpoint are not yet signed: serve is running or was not shut down cleanly); 1 tampering found "
      "(edited, deleted or reordered events, forged or deleted checkpoints, events after the checkpoint "
      "that closed the log) or no log.");
  export_ = audit->add_subcommand("export", "write the audit log as a FHIR R4 Bundle of AuditEvent");
  export_->add_option("--data-dir", auditDataDir_, "data directory (default ./data)");
  export_->add_option("--format", exportFormat_, "fhir (default)");
  export_->add_option("--out", exportOut_, "file to write (default stdout)");
  export_->add_flag("--unsealed", unsealed_,
                    "names in clear (default: pseudonymised, \"[sealed]\"); recorded as an audit event first, "
                    "so serve must not be running");
  export_->footer("Exit codes: 0 written; 1 no log, unknown format, or (--unsealed) the export could not be audited.");

  auto* compliance = app.add_subcommand("compliance", "evidence for a policy profile");
  compliance->require_subcommand(1);
  report_ = compliance->add_subcommand(
      "report", "each requirement of the profile, how this configuration meets it, pass/fail/not-met");
  report_->add_option("--profile", profile_, "kbv, hipaa, gdpr or hds (default: the configured --policy)");
  report_->add_option("--format", reportFormat_, "markdown (default) or json");
  report_->footer(
      "Exit codes: 0 no requirement fails (not-met ones, features this build lacks, are listed); "
      "1 at least one requirement fails; 2 the profile cannot be loaded or the options are bad.");
}

bool ComplianceCommands::parsed() const { return verify_->parsed() || export_->parsed() || report_->parsed(); }

int ComplianceCommands::run(const ServeConfig& reportConfig, std::ostream& out, std::ostream& err) const {
  if (verify_->parsed()) {
    compliance::VerifyOptions options;
    if (!trustedKey_.empty()) {
      options.trustedVerifierKey = trustedKey_;
    }
    if (!witness_.empty()) {
      options.witnessFile = witness_;
    }
    return compliance::runAuditVerify(auditDataDir_, out, options);
  }
  if (export_->parsed()) {
    if (exportOut_.empty()) {
      return compliance::runAuditExport(auditDataDir_, exportFormat_, out, err, unsealed_);
    }
    std::ofstream file(exportOut_, std::ios::binary | std::ios::trunc);
    if (!file) {
      err << "medrtc: cannot write " << exportOut_ << "\n";
      return 1;
    }
    int rc = compliance::runAuditExport(auditDataDir_, exportFormat_, file, err, unsealed_);
    file.close();
    if (rc != 0) {
      std::filesystem::remove(exportOut_);
    }
    return rc;
  }
  return complianceReportCommand(reportConfig, profile_, reportFormat_, out, err);
}

int complianceReportCommand(const ServeConfig& config, const std::string& profile, const std::string& format,
                            std::ostream& out, std::ostream& err) {
  std::string name = profile.empty() ? config.security.policy : profile;
  if (name.empty()) {
    err << "medrtc: compliance report needs --profile kbv|hipaa|gdpr|hds (or policy in the config)\n";
    return 2;
  }
  try {
    validateSecurityConfig(config.security);
  } catch (const std::exception& e) {
    err << "medrtc: " << e.what() << "\n";
    return 2;
  }
  SecurityConfig security = config.security;
  security.policy = name;
  std::optional<compliance::PolicyProfile> loaded;
  // The profile the node runs under (its --policy): what the clinic enforces for staff on
  // every tenant. Reporting --profile kbv for a node without --policy kbv says so.
  std::optional<compliance::PolicyProfile> nodeProfile;
  try {
    loaded = loadActiveProfile(security);
    nodeProfile = config.security.policy == name ? loaded : loadActiveProfile(config.security);
  } catch (const StartRefused& e) {
    err << e.what() << "\n";
    return 2;
  }
  compliance::NodeSettings node = nodeSettingsFor(config, &*loaded, nodeProfile ? &*nodeProfile : nullptr);
  auto dir = security.policiesDir.empty() ? defaultPoliciesDir() : security.policiesDir;
  return compliance::runComplianceReport(name, dir, node, format, out);
}

}  // namespace medrtc::app
