#include "store/postgres/pg_connection.hpp"

namespace medrtc::store {

PgConnection::PgConnection(std::string url) : url_(std::move(url)) {
  try {
    ensureOpen();
  } catch (const StoreFailure&) {
    throw;
  } catch (const std::exception& e) {
    // The message names host and database but never the URL itself (it may carry a
    // password).
    throw StoreFailure(std::string("postgres: cannot connect: ") + e.what());
  }
}

void PgConnection::ensureOpen() {
  if (conn_ && conn_->is_open()) {
    return;
  }
  conn_.reset();
  conn_ = std::make_unique<pqxx::connection>(url_);
}

}  // namespace medrtc::store
