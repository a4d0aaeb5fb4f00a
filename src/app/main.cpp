// The only code the tests don't share: parse the command line and run a subcommand.
#include "app/cli.hpp"

int main(int argc, char** argv) { return medrtc::app::runCli(argc, argv); }
