// The backup container (app/backup_archive.hpp) and restore's checks on what it holds,
// with archives written here byte by byte: restore must refuse paths that leave the data
// dir, a name given twice and content after the end marker, and write nothing then.
#include "app/backup_archive.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "app/backup.hpp"
#include "common/random.hpp"

namespace medrtc::app {
namespace {

struct Scratch {
  Scratch() : dir(std::filesystem::temp_directory_path() / ("medrtc-backup-unit-" + randomHex(6))) {
    std::filesystem::create_directories(dir);
    keyFile = dir / "backup.key";
    std::ofstream(keyFile) << std::string(64, 'a') << "\n";
    ::chmod(keyFile.c_str(), 0600);
    secret = readBackupSecret("", keyFile.string());
  }
  ~Scratch() { std::filesystem::remove_all(dir); }

  // An archive whose payload is exactly `payload` (the entry format of app/backup.cpp).
  std::filesystem::path archive(const std::string& payload) {
    auto file = dir / ("a-" + randomHex(4));
    ArchiveWriter w(file, secret);
    w.write(ByteView(reinterpret_cast<const uint8_t*>(payload.data()), payload.size()));
    w.finish();
    return file;
  }

  std::filesystem::path dir;
  std::filesystem::path keyFile;
  BackupSecret secret;
};

std::string fileEntry(const std::string& path, const std::string& content) {
  std::string e = "F";
  e += static_cast<char>(path.size() >> 8);
  e += static_cast<char>(path.size() & 0xff);
  e += path;
  for (int shift = 56; shift >= 0; shift -= 8) {
    e += static_cast<char>((content.size() >> shift) & 0xff);
  }
  return e + content;
}

std::string restoreError(Scratch& s, const std::string& payload, const std::filesystem::path& target) {
  try {
    restoreDataDir(s.archive(payload), target, s.secret);
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

TEST(BackupArchive, AWellFormedArchiveRestoresOwnerOnly) {
  Scratch s;
  auto target = s.dir / "ok";
  EXPECT_EQ(restoreError(s, fileEntry("audit/signing.key", "k") + "E", target), "");
  struct stat st {};
  ASSERT_EQ(::stat((target / "audit/signing.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat((target / "audit").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
}

TEST(BackupArchive, PathsThatLeaveTheDataDirAreRefusedAndNothingIsWritten) {
  Scratch s;
  for (const std::string bad : {"../escape", "/etc/passwd", "audit/../../escape", "a//b", "./x", ""}) {
    auto target = s.dir / "t";
    auto error = restoreError(s, fileEntry(bad, "x") + "E", target);
    EXPECT_NE(error.find("would leave the data dir"), std::string::npos) << bad << ": " << error;
    EXPECT_FALSE(std::filesystem::exists(target)) << bad;
    EXPECT_FALSE(std::filesystem::exists(s.dir.parent_path() / "escape"));
  }
}

TEST(BackupArchive, ANameTwiceOrDataAfterTheEndOrNoEndIsRefused) {
  Scratch s;
  auto target = s.dir / "t";
  EXPECT_NE(restoreError(s, fileEntry("token.key", "a") + fileEntry("token.key", "b") + "E", target).find("twice"),
            std::string::npos);
  EXPECT_NE(restoreError(s, fileEntry("token.key", "a") + "Ejunk", target).find("after its end marker"),
            std::string::npos);
  EXPECT_NE(restoreError(s, fileEntry("token.key", "a"), target).find("ends early"), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(target));
}

TEST(BackupArchive, KeyFilesMustBeOwnerOnlyAndThirtyTwoBytes) {
  Scratch s;
  ::chmod(s.keyFile.c_str(), 0644);
  EXPECT_THROW(readBackupSecret("", s.keyFile.string()), std::runtime_error);
  auto shortKey = s.dir / "short.key";
  std::ofstream(shortKey) << "abcd\n";
  ::chmod(shortKey.c_str(), 0600);
  EXPECT_THROW(readBackupSecret("", shortKey.string()), std::runtime_error);
  EXPECT_THROW(readBackupSecret("", ""), std::runtime_error);
}

}  // namespace
}  // namespace medrtc::app
