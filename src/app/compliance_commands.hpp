#pragma once
// `medrtc audit verify`, `medrtc audit export --format fhir` and
// `medrtc compliance report --profile …` on the command line. The report takes the same
// flags (or --config file) as `serve`, so it describes the configuration serve would run.
#include <iosfwd>
#include <string>

#include "app/serve_config.hpp"

namespace CLI {
class App;
}

namespace medrtc::app {

class ComplianceCommands {
 public:
  explicit ComplianceCommands(CLI::App& app);

  // `compliance report`: cli.cpp adds the serve options to it.
  CLI::App* reportCommand() const { return report_; }

  bool parsed() const;
  // `reportConfig` is the ServeConfig built from the report command's serve options.
  int run(const ServeConfig& reportConfig, std::ostream& out, std::ostream& err) const;

 private:
  CLI::App* verify_ = nullptr;
  CLI::App* export_ = nullptr;
  CLI::App* report_ = nullptr;
  std::string auditDataDir_ = "data";
  std::string exportFormat_ = "fhir";
  std::string exportOut_;
  std::string trustedKey_;
  std::string witness_;
  bool unsealed_ = false;
  std::string profile_;
  std::string reportFormat_ = "markdown";
};

// `compliance report`: exit 0 when no requirement fails (not-met ones are listed: a feature
// this build lacks is not a failure of the configuration), 1 when any fails, 2 when the
// profile cannot be loaded or the format/settings are bad.
int complianceReportCommand(const ServeConfig& config, const std::string& profile, const std::string& format,
                            std::ostream& out, std::ostream& err);

}  // namespace medrtc::app
