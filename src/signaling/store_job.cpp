#include "signaling/store_job.hpp"

#include "log/log.hpp"
#include "signaling/problem.hpp"

namespace medrtc::signaling {

HttpResponse failureResponse(std::exception_ptr failure, const RouteLabel& label) {
  auto logged = [&](const char* code, const char* error) {
    log::error("request_failed", {{"code", code}, {"method", label.method}, {"route", label.route}, {"error", error}});
  };
  try {
    if (failure) {
      std::rethrow_exception(failure);
    }
    logged("internal", "no result");
  } catch (const store::StoreConflict& e) {
    // A uniqueness refusal no handler expected is a bug here, not an outage.
    logged("internal", e.what());
  } catch (const store::StoreFailure& e) {
    logged("store_unavailable", e.what());
    HttpResponse r = problem(503, "store_unavailable", "the database is not available; try again shortly");
    r.headers.emplace_back("Retry-After", "5");
    return r;
  } catch (const std::exception& e) {
    logged("internal", e.what());
  } catch (...) {
    logged("internal", "unknown exception");
  }
  return problem(500, "internal", "server error");
}

HttpResponse busyResponse(const RouteLabel& label) {
  log::warn("request_refused", {{"code", "unavailable"}, {"method", label.method}, {"route", label.route}});
  HttpResponse r = problem(503, "unavailable", "the server is busy; try again in a moment");
  r.headers.emplace_back("Retry-After", "1");
  return r;
}

}  // namespace medrtc::signaling
