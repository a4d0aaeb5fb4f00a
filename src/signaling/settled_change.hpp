#pragma once
// The settle step of a request-keyed change (docs/security.md, "request-keyed"): once a
// cancel's, revocation's or staff add's event is durable, its request id is cleared on
// the pool (Store::settleChange), so a later repeat finds it audited and writes no second
// event; only then does `answer` answer (a repeat sent after this answer sees it settled).
// A failure is only logged (change_not_settled): the change stands, and the first repeat
// audits it once more.
#include <functional>
#include <string>

#include "signaling/http_types.hpp"
#include "signaling/store_job.hpp"
#include "store/store.hpp"

namespace medrtc::signaling {

HttpResponse settledThen(StoreJobs& jobs, RouteLabel label, store::SettledChange what, std::string id,
                         std::string change, std::function<HttpResponse()> answer);

}  // namespace medrtc::signaling
