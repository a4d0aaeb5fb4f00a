#pragma once
// One libpq connection that reopens itself when the server went away (restart,
// failover, idle timeout), and the one place where libpqxx exceptions become
// StoreFailure / StoreConflict. Internal to the PostgreSQL store.
#include <pqxx/pqxx>

#include <memory>
#include <string>
#include <type_traits>
#include <utility>

#include "store/store.hpp"
#include "store/store_metrics.hpp"

namespace medrtc::store {

class PgConnection {
 public:
  // Connects at once; throws StoreFailure when the server cannot be reached.
  explicit PgConnection(std::string url);

  // Runs body(pqxx::work&) in one transaction and commits. When the connection turns
  // out to be broken, it is reopened and the body runs once more: a transaction that
  // failed with a broken connection was never committed (a failure during COMMIT itself
  // is pqxx::in_doubt_error, which is not retried), so the retry cannot apply twice.
  template <typename Body>
  auto transact(Body&& body) -> std::invoke_result_t<Body&, pqxx::work&> {
    static metrics::Histogram& latency = storeWriteSeconds("postgres");
    StoreWriteTimer timer(latency);
    for (int attempt = 0;; ++attempt) {
      try {
        ensureOpen();
        pqxx::work txn(*conn_);
        if constexpr (std::is_void_v<std::invoke_result_t<Body&, pqxx::work&>>) {
          body(txn);
          txn.commit();
          return;
        } else {
          auto result = body(txn);
          txn.commit();
          return result;
        }
      } catch (const pqxx::broken_connection& e) {
        conn_.reset();
        if (attempt >= 1) {
          throw StoreFailure(std::string("postgres: connection lost: ") + e.what());
        }
      } catch (const pqxx::unique_violation& e) {
        throw StoreConflict(std::string("postgres: ") + e.what());
      } catch (const StoreFailure&) {
        throw;
      } catch (const std::exception& e) {
        throw StoreFailure(std::string("postgres: ") + e.what());
      }
    }
  }

 private:
  void ensureOpen();

  std::string url_;
  std::unique_ptr<pqxx::connection> conn_;
};

}  // namespace medrtc::store
