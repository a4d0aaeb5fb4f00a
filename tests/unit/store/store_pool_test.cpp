// store::StorePool: store calls on threads of their own, each with its own connection, the
// result posted back to the control thread; a bounded queue that refuses when full.
#include "store/store_pool.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <future>
#include <thread>

#include "common/random.hpp"
#include "compliance/sync_gate.hpp"
#include "store/sqlite_store.hpp"

namespace medrtc::store {
namespace {

using compliance::testing::PostedTasks;

class StorePoolTest : public ::testing::Test {
 protected:
  StorePoolTest() : dir_(std::filesystem::temp_directory_path() / ("medrtc-pool-" + randomHex(6))) {
    std::filesystem::create_directories(dir_);
    control_ = std::make_unique<SqliteStore>(dir_ / "medrtc.db");
  }
  ~StorePoolTest() override { std::filesystem::remove_all(dir_); }
  StorePool::Opener opener() {
    return [this] { return std::make_unique<SqliteStore>(dir_ / "medrtc.db"); };
  }

  std::filesystem::path dir_;
  std::unique_ptr<SqliteStore> control_;
  PostedTasks posted_;
};

TEST_F(StorePoolTest, RunsWorkOnItsOwnConnectionAndPostsDoneBack) {
  StorePool pool(1, 8, opener(), posted_.poster());
  std::thread::id worker;
  std::string tenantId;
  bool done = false;
  ASSERT_TRUE(pool.submit(
      [&](Store& store) {
        worker = std::this_thread::get_id();
        TenantRecord t;
        t.name = "Praxis";
        tenantId = store.createTenant(t).id;
      },
      [&] { done = true; }));
  ASSERT_TRUE(posted_.runUntil([&] { return done; }));
  EXPECT_NE(worker, std::this_thread::get_id());
  // Written through the pool's connection, visible to the control thread's.
  EXPECT_TRUE(control_->findTenant(tenantId));
}

TEST_F(StorePoolTest, AFullQueueRefusesAtOnceAndStopStillPostsTheRunningJob) {
  StorePool pool(1, 2, opener(), posted_.poster());
  std::promise<void> entered;
  std::promise<void> release;
  auto released = release.get_future().share();
  bool firstDone = false;
  ASSERT_TRUE(pool.submit(
      [&](Store&) {
        entered.set_value();
        released.wait();
      },
      [&] { firstDone = true; }));
  entered.get_future().wait();
  EXPECT_TRUE(pool.submit([](Store&) {}, [] {}));
  EXPECT_TRUE(pool.submit([](Store&) {}, [] {}));
  EXPECT_FALSE(pool.submit([](Store&) {}, [] {})) << "a third waiting job is refused, not queued";
  std::thread stopping([&] { pool.stop(); });
  release.set_value();
  stopping.join();
  ASSERT_TRUE(posted_.runUntil([&] { return firstDone; }));
  EXPECT_FALSE(pool.submit([](Store&) {}, [] {})) << "stopped";
}

}  // namespace
}  // namespace medrtc::store
