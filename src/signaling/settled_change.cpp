#include "signaling/settled_change.hpp"

#include <exception>
#include <utility>

#include "log/log.hpp"

namespace medrtc::signaling {

HttpResponse settledThen(StoreJobs& jobs, RouteLabel label, store::SettledChange what, std::string id,
                         std::string change, std::function<HttpResponse()> answer) {
  if (change.empty()) {
    return answer();
  }
  return jobs.run<bool>(
      std::move(label),
      [what, id = std::move(id), change = std::move(change)](store::Store& store) {
        try {
          store.settleChange(what, id, change);
        } catch (const std::exception& e) {
          log::warn("change_not_settled", {{"error", e.what()}});
        }
        return true;
      },
      [answer = std::move(answer)](bool&) { return answer(); }, /*inlineWhenFull=*/true);
}

}  // namespace medrtc::signaling
