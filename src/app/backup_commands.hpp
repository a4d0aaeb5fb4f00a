#pragma once
// `medrtc admin backup` and `medrtc admin restore` on the command line (app/backup.hpp).
#include <iosfwd>
#include <string>

namespace CLI {
class App;
}

namespace medrtc::app {

class BackupCommands {
 public:
  explicit BackupCommands(CLI::App* admin);
  bool parsed() const;
  int run(std::ostream& out, std::ostream& err) const;

 private:
  CLI::App* backup_ = nullptr;
  CLI::App* restore_ = nullptr;
  std::string dataDir_ = "data";
  std::string file_;
  std::string passphraseFile_;
  std::string keyFile_;
};

}  // namespace medrtc::app
