// FileSubjectKeyStore shared by two processes: nodes on one PostgreSQL database share
// <data>/audit/subject-keys/ (docs/compliance/README.md), and `medrtc admin` runs beside
// serve. Both seal rows of older releases on open, so they can mint a key for the same
// subject at the same moment; rows sealed with a key that lost the race never open again.
#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "compliance/subject_keys.hpp"
#include "test_support.hpp"

namespace medrtc::compliance {
namespace {

using testing::TempDir;

TEST(FileSubjectKeys, TwoStoresOnOneDirMintingTheSameSubjectsAgreeOnOneKey) {
  TempDir dir;
  constexpr int kSubjects = 150;
  FileSubjectKeyStore a(dir.path());
  FileSubjectKeyStore b(dir.path());
  WallTime now(std::chrono::seconds(1'700'000'000));
  std::vector<SubjectKey> fromA(kSubjects), fromB(kSubjects);
  std::atomic<int> ready{0};
  std::atomic<int> failures{0};
  auto mint = [&](FileSubjectKeyStore& store, std::vector<SubjectKey>& out) {
    ready.fetch_add(1);
    while (ready.load() < 2) {
    }
    for (int i = 0; i < kSubjects; ++i) {
      try {
        out[i] = store.useKey("u_" + std::to_string(i), now);
      } catch (const std::exception&) {
        failures.fetch_add(1);
      }
    }
  };
  std::thread ta(mint, std::ref(a), std::ref(fromA));
  std::thread tb(mint, std::ref(b), std::ref(fromB));
  ta.join();
  tb.join();
  EXPECT_EQ(failures.load(), 0);
  // What a third process (the next start) reads must be what both sealed with.
  FileSubjectKeyStore later(dir.path());
  int disagreements = 0;
  for (int i = 0; i < kSubjects; ++i) {
    auto onDisk = later.findKey("u_" + std::to_string(i));
    if (!onDisk || *onDisk != fromA[i] || *onDisk != fromB[i]) {
      ++disagreements;
    }
  }
  EXPECT_EQ(disagreements, 0) << "of " << kSubjects << " subjects";
  EXPECT_EQ(later.list().size(), static_cast<size_t>(kSubjects));
}

}  // namespace
}  // namespace medrtc::compliance
