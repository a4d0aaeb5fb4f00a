#include "store/postgres/pg_connection.hpp"

#include <poll.h>

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

namespace {

// Between transactions the server has nothing to say to us, so a readable socket means
// it hung up (restart, pg_terminate_backend, idle timeout: a FATAL message, then EOF).
// Reopening here beats learning it from a failed BEGIN, and libpqxx 6.4 leaks the result
// of a statement that fails on a broken connection.
bool serverHungUp(int fd) {
  if (fd < 0) {
    return true;
  }
  pollfd p{fd, POLLIN, 0};
  return ::poll(&p, 1, 0) > 0 && (p.revents & (POLLIN | POLLHUP | POLLERR)) != 0;
}

}  // namespace

void PgConnection::ensureOpen() {
  if (conn_ && conn_->is_open() && !serverHungUp(conn_->sock())) {
    return;
  }
  conn_.reset();
  conn_ = std::make_unique<pqxx::connection>(url_);
}

}  // namespace medrtc::store
