#include "app/cli.hpp"

#include <CLI/CLI.hpp>

namespace medrtc::app {

int runCli(int argc, char** argv) {
  CLI::App app{"medrtc: self-hosted video consultation server"};
  app.require_subcommand(1);
  app.add_subcommand("serve", "run the server");
  CLI11_PARSE(app, argc, argv);
  return 0;
}

}  // namespace medrtc::app
