#pragma once
// `medrtc loadgen`: the CLI11 subcommand (options in docs/loadgen.md). The app's CLI
// registers it and runs it when parsed, so the loadgen's options live with the loadgen.
#include <memory>

namespace CLI {
class App;
}

namespace medrtc::loadgen {

struct LoadgenConfig;

class LoadgenCommand {
 public:
  // Adds the "loadgen" subcommand to `app`.
  explicit LoadgenCommand(CLI::App& app);
  ~LoadgenCommand();

  bool parsed() const;
  // Runs the load; prints the summary to stdout, progress to stderr. Exit code: 0 when
  // every consultation succeeded, 1 when some failed, 2 when the run could not start.
  int run();

 private:
  CLI::App* command_;
  std::unique_ptr<LoadgenConfig> config_;
  std::string target_ = "medrtc";
  int serverPid_ = 0;
  bool verbose_ = false;
};

}  // namespace medrtc::loadgen
