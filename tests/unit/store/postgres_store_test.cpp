// What only the PostgreSQL backend promises (the shared suite is store_test.cpp).
#include "store/postgres/postgres_store.hpp"

#include <gtest/gtest.h>

namespace medrtc::store {
namespace {

TEST(PostgresStore, UnreachableServerIsAStoreFailureWithoutTheUrl) {
  // Port 1 on loopback: nothing listens there, so the connection is refused at once.
  const std::string url = "postgres://medrtc:s3cret-password@127.0.0.1:1/medrtc?connect_timeout=2";
  try {
    PostgresStore store(url);
    FAIL() << "connected to port 1";
  } catch (const StoreFailure& e) {
    EXPECT_EQ(std::string(e.what()).find("s3cret-password"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace medrtc::store
