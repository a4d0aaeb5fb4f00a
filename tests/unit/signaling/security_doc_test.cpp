// docs/security.md's authorization matrix must have one complete row for every route the
// router knows and every client message docs/protocol.md defines: a new route or message
// without a decision for each role fails here.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "signaling/rest_api.hpp"

namespace medrtc::signaling {
namespace {

std::filesystem::path repoRoot() {
  if (const char* dir = std::getenv("MEDRTC_SOURCE_DIR")) {
    return dir;
  }
  return std::filesystem::path(__FILE__).parent_path().parent_path().parent_path().parent_path();
}

std::string readDoc(const std::string& name) {
  std::ifstream in(repoRoot() / "docs" / name);
  EXPECT_TRUE(in.good()) << "docs/" << name << " not found under " << repoRoot();
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> cells(const std::string& row) {
  std::vector<std::string> out;
  size_t pos = 1;  // after the leading '|'
  while (pos < row.size()) {
    size_t end = row.find('|', pos);
    if (end == std::string::npos) {
      break;
    }
    std::string cell = row.substr(pos, end - pos);
    size_t first = cell.find_first_not_of(' ');
    size_t last = cell.find_last_not_of(' ');
    out.push_back(first == std::string::npos ? "" : cell.substr(first, last - first + 1));
    pos = end + 1;
  }
  return out;
}

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

// The Markdown table between <!-- matrix:NAME --> and <!-- /matrix:NAME -->.
Table matrix(const std::string& doc, const std::string& name) {
  Table t;
  size_t begin = doc.find("<!-- matrix:" + name + " -->");
  size_t end = doc.find("<!-- /matrix:" + name + " -->");
  EXPECT_NE(begin, std::string::npos) << "no <!-- matrix:" << name << " --> in docs/security.md";
  EXPECT_NE(end, std::string::npos);
  if (begin == std::string::npos || end == std::string::npos || end < begin) {
    return t;
  }
  std::istringstream lines(doc.substr(begin, end - begin));
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("|", 0) != 0) {
      continue;
    }
    auto c = cells(line);
    if (t.header.empty()) {
      t.header = c;
    } else if (!c.empty() && c[0].rfind("---", 0) != 0) {
      t.rows.push_back(c);
    }
  }
  return t;
}

// Every role of the threat model has a column, in this order.
const std::vector<std::string> kRoles = {"anonymous",    "patient link", "waiting patient", "guest in the call",
                                         "staff",        "practitioner", "admin",           "integrator key",
                                         "node operator"};

// "`GET /healthz`" → "GET /healthz"; every cell filled.
std::set<std::string> checkedKeys(const Table& t, const std::string& what) {
  std::set<std::string> keys;
  EXPECT_EQ(t.header.size(), kRoles.size() + 1) << what << " header";
  for (size_t i = 0; i < kRoles.size() && i + 1 < t.header.size(); ++i) {
    EXPECT_EQ(t.header[i + 1], kRoles[i]) << what << " column " << i + 1;
  }
  for (const auto& row : t.rows) {
    std::string key = row.empty() ? "" : row[0];
    if (key.size() > 2 && key.front() == '`' && key.back() == '`') {
      key = key.substr(1, key.size() - 2);
    }
    EXPECT_EQ(row.size(), t.header.size()) << what << " row " << key << " has a missing or extra cell";
    for (size_t i = 1; i < row.size(); ++i) {
      EXPECT_FALSE(row[i].empty()) << what << " row " << key << ": no decision for " << t.header[i];
    }
    EXPECT_TRUE(keys.insert(key).second) << what << " row " << key << " appears twice";
  }
  return keys;
}

TEST(SecurityDoc, EveryRestRouteHasOneRowWithADecisionPerRole) {
  std::set<std::string> documented = checkedKeys(matrix(readDoc("security.md"), "rest"), "REST matrix");
  std::set<std::string> router;
  for (const RouteInfo& r : RestApi::routes()) {
    router.insert(std::string(r.method) + " " + std::string(r.path));
  }
  for (const auto& r : router) {
    EXPECT_TRUE(documented.count(r)) << "routed but not in docs/security.md's matrix: " << r;
  }
  for (const auto& r : documented) {
    EXPECT_TRUE(router.count(r)) << "in docs/security.md's matrix but not routed: " << r;
  }
}

// The client → server table of docs/protocol.md: "| `join` | …".
std::set<std::string> protocolClientMessages() {
  std::string doc = readDoc("protocol.md");
  size_t begin = doc.find("## Client → server");
  size_t end = doc.find("\n## ", begin + 1);
  EXPECT_NE(begin, std::string::npos);
  std::istringstream lines(doc.substr(begin, end - begin));
  std::set<std::string> out;
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("| `", 0) == 0) {
      out.insert(line.substr(3, line.find('`', 3) - 3));
    }
  }
  return out;
}

TEST(SecurityDoc, EveryClientMessageHasOneRowWithADecisionPerRole) {
  std::set<std::string> documented = checkedKeys(matrix(readDoc("security.md"), "ws"), "WebSocket matrix");
  std::set<std::string> protocol = protocolClientMessages();
  EXPECT_GE(protocol.size(), 10u);
  for (const auto& m : protocol) {
    EXPECT_TRUE(documented.count(m)) << "docs/protocol.md message not in docs/security.md's matrix: " << m;
  }
  for (const auto& m : documented) {
    EXPECT_TRUE(protocol.count(m)) << "in docs/security.md's matrix but not in docs/protocol.md: " << m;
  }
}

}  // namespace
}  // namespace medrtc::signaling
