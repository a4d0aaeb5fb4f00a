// The only code the tests don't share: parse the command line and run a subcommand with
// the real media plane.
#include "app/cli.hpp"
#include "sfu/media_plane.hpp"

int main(int argc, char** argv) {
  return medrtc::app::runCli(argc, argv, [](const medrtc::sfu::MediaConfig& config, medrtc::sfu::ControlPoster post,
                                            medrtc::sfu::MediaEvents& events) {
    return medrtc::sfu::createMediaPlane(config, std::move(post), events);
  });
}
