// The data dir is owner-only (issue 10 item 10): created 0700, every file medrtc writes
// in it 0600 whatever the umask, and what an older release left readable to others is
// tightened at start.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "cli_run.hpp"
#include "compliance/test_support.hpp"
#include "store/data_dir.hpp"
#include "store/sqlite_store.hpp"

namespace medrtc::app {
namespace {

namespace fs = std::filesystem;
using compliance::testing::TempDir;

mode_t modeOf(const fs::path& p) {
  struct stat st {};
  EXPECT_EQ(::lstat(p.c_str(), &st), 0) << p;
  return st.st_mode & 07777;
}

// Every file and directory under `dir` (and `dir`) that others may read, write or enter.
std::vector<std::string> openToOthers(const fs::path& dir) {
  std::vector<std::string> out;
  if ((modeOf(dir) & 077) != 0) {
    out.push_back(dir.string());
  }
  for (const auto& entry : fs::recursive_directory_iterator(dir)) {
    if (!entry.is_symlink() && (modeOf(entry.path()) & 077) != 0) {
      out.push_back(entry.path().string());
    }
  }
  return out;
}

// Sets the umask a careless service manager or shell would hand us, for one test.
class Umask {
 public:
  explicit Umask(mode_t mask) : previous_(::umask(mask)) {}
  ~Umask() { ::umask(previous_); }

 private:
  mode_t previous_;
};

TEST(DataDir, IsCreatedOwnerOnlyAtEveryLevel) {
  Umask loose(022);
  TempDir dir;
  auto nested = dir.path() / "var" / "medrtc";
  auto result = store::secureDataDir(nested);
  EXPECT_TRUE(result.tightened.empty());
  EXPECT_EQ(modeOf(dir.path() / "var"), 0700);
  EXPECT_EQ(modeOf(nested), 0700);
}

TEST(DataDir, WhatOthersCouldReadIsTightenedAndLinksAreLeftAlone) {
  Umask loose(022);
  TempDir dir;
  auto data = dir.path() / "data";
  fs::create_directories(data / "audit");
  std::ofstream(data / "medrtc.db") << "x";
  std::ofstream(data / "audit" / "events.jsonl") << "x";
  ::chmod(data.c_str(), 0755);
  ::chmod((data / "medrtc.db").c_str(), 0644);
  ::chmod((data / "audit" / "events.jsonl").c_str(), 0666);
  std::ofstream(dir.path() / "outside.txt") << "x";
  ::chmod((dir.path() / "outside.txt").c_str(), 0644);
  fs::create_symlink(dir.path() / "outside.txt", data / "link");

  auto result = store::secureDataDir(data);
  EXPECT_EQ(result.tightened.size(), 4u);  // data, medrtc.db, audit, events.jsonl
  EXPECT_TRUE(result.failed.empty());
  EXPECT_EQ(modeOf(data), 0700);
  EXPECT_EQ(modeOf(data / "medrtc.db"), 0600);
  EXPECT_EQ(modeOf(data / "audit"), 0700);
  EXPECT_EQ(modeOf(data / "audit" / "events.jsonl"), 0600);
  EXPECT_EQ(modeOf(dir.path() / "outside.txt"), 0644) << "a link in the data dir was followed";
  EXPECT_TRUE(store::secureDataDir(data).tightened.empty());
}

TEST(DataDir, SqliteFilesAre0600WhateverTheUmask) {
  Umask loose(022);
  TempDir dir;
  store::SqliteStore db(dir.path() / "medrtc.db");
  db.countApiKeys();
  EXPECT_EQ(modeOf(dir.path() / "medrtc.db"), 0600);
  for (const char* side : {"medrtc.db-wal", "medrtc.db-shm"}) {
    if (fs::exists(dir.path() / side)) {
      EXPECT_EQ(modeOf(dir.path() / side), 0600) << side;
    }
  }
}

TEST(DataDir, AdminCommandsLeaveNothingReadableToOthers) {
  Umask loose(022);
  TempDir dir;
  auto data = dir.path() / "data";
  // An older release's database, world-readable.
  fs::create_directories(data);
  { store::SqliteStore old(data / "medrtc.db"); }
  ::chmod(data.c_str(), 0755);
  ::chmod((data / "medrtc.db").c_str(), 0644);

  auto key = testing::runMedrtc({"medrtc", "admin", "create-api-key", "--data-dir", data.string(), "--name", "ehr"});
  ASSERT_EQ(key.rc, 0) << key.err;
  EXPECT_NE(key.err.find("data_dir_permissions_tightened"), std::string::npos) << key.err;
  auto tenant = testing::runMedrtc({"medrtc", "admin", "create-tenant", "--data-dir", data.string(), "--name", "P"});
  ASSERT_EQ(tenant.rc, 0) << tenant.err;
  EXPECT_EQ(openToOthers(data), std::vector<std::string>{});
  EXPECT_EQ(modeOf(data / "medrtc.db"), 0600);
}

}  // namespace
}  // namespace medrtc::app
