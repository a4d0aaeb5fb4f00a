// docs/openapi.yaml and the router must describe the same routes.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>

#include "signaling/rest_api.hpp"

namespace medrtc::signaling {
namespace {

std::filesystem::path repoRoot() {
  if (const char* dir = std::getenv("MEDRTC_SOURCE_DIR")) {
    return dir;
  }
  // tests/unit/signaling/openapi_test.cpp → repository root.
  return std::filesystem::path(__FILE__).parent_path().parent_path().parent_path().parent_path();
}

// A crude reader for the `paths:` block: path keys at two spaces, methods at four.
std::set<std::string> documentedRoutes() {
  std::ifstream in(repoRoot() / "docs" / "openapi.yaml");
  EXPECT_TRUE(in.good()) << "docs/openapi.yaml not found under " << repoRoot();
  std::set<std::string> routes;
  std::string line;
  bool inPaths = false;
  std::string path;
  while (std::getline(in, line)) {
    if (!line.empty() && line[0] != ' ' && line[0] != '#') {
      inPaths = line.rfind("paths:", 0) == 0;
      continue;
    }
    if (!inPaths) {
      continue;
    }
    if (line.rfind("  /", 0) == 0) {
      path = line.substr(2, line.find(':', 2) - 2);
      continue;
    }
    for (const char* method : {"get", "post", "put", "patch", "delete", "head", "options"}) {
      if (line == std::string("    ") + method + ":") {
        std::string upper(method);
        for (auto& c : upper) {
          c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        }
        routes.insert(upper + " " + path);
      }
    }
  }
  return routes;
}

TEST(OpenApi, DocumentedRoutesMatchTheRouter) {
  std::set<std::string> router;
  for (const RouteInfo& r : RestApi::routes()) {
    router.insert(std::string(r.method) + " " + std::string(r.path));
  }
  std::set<std::string> documented = documentedRoutes();
  EXPECT_FALSE(documented.empty());
  for (const auto& r : documented) {
    EXPECT_TRUE(router.count(r)) << "documented but not routed: " << r;
  }
  for (const auto& r : router) {
    EXPECT_TRUE(documented.count(r)) << "routed but not documented: " << r;
  }
}

}  // namespace
}  // namespace medrtc::signaling
