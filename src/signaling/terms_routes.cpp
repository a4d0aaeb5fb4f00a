// KBV K10 (docs/consultation-api.md): a tenant's terms of use and privacy notice. GET is
// public (the patient reads it from the join page before signing in to nothing); PUT is
// the tenant's admin's. clinic/terms_service.hpp decides; this file translates HTTP.
#include "clinic/terms_service.hpp"
#include "log/log.hpp"
#include "signaling/problem.hpp"
#include "signaling/rest_api.hpp"
#include "signaling/rest_json.hpp"

namespace medrtc::signaling {

namespace json = boost::json;

namespace {

json::object termsJson(const clinic::TenantTerms& t) {
  json::array texts;
  for (const clinic::TermsText& x : t.texts) {
    json::object o{{"lang", x.lang}, {"text", x.text}, {"default", x.isDefault}};
    if (!x.isDefault) {
      o["updated_at"] = formatTimestamp(x.updatedAt);
    }
    texts.push_back(std::move(o));
  }
  return json::object{{"tenant_id", t.tenantId}, {"tenant_name", t.tenantName}, {"terms", std::move(texts)}};
}

}  // namespace

HttpResponse RestApi::getTerms(const HttpRequest& r, const Params& p) {
  using Found = std::optional<clinic::TenantTerms>;
  return onStore<Found>(
      r, p, [id = p.id](store::Store& store) { return clinic::TermsService::read(store, id); },
      [](Found& terms) {
        if (!terms) {
          return problem(404, "tenant_not_found", "no such tenant");
        }
        return jsonResponse(200, termsJson(*terms));
      });
}

HttpResponse RestApi::putTerms(const HttpRequest& r, const Params& p) {
  HttpResponse error;
  auto body = parseBody(r, true, error);
  if (!body) {
    return error;
  }
  bool ok = true;
  auto lang = stringMember(*body, "lang", 2, 2, true, error, ok);
  if (!ok) {
    return error;
  }
  auto text = stringMember(*body, "text", 0, clinic::kMaxTermsChars, true, error, ok);
  if (!ok) {
    return error;
  }
  // Stored on the pool; audited without blocking, and the previous text put back (unless
  // another edit was stored since) when the event fails.
  using Written = Result<clinic::TermsService::Written, clinic::ClinicFailure>;
  return onStore<Written>(
      r, p,
      [who = *p.session, id = p.id, lang = *lang, text = *text, now = nowSeconds()](store::Store& store) {
        return clinic::TermsService::writeIn(store, who, id, lang, text, now);
      },
      [this, r, p](Written& written) {
        if (!written) {
          const clinic::ClinicFailure& f = written.error();
          int status = f.error == clinic::ClinicError::kNotFound    ? 404
                       : f.error == clinic::ClinicError::kForbidden ? 403
                                                                    : 400;
          return problem(status, f.code, f.detail);
        }
        const clinic::TermsService::Written w = *written;
        return auditedOrUndone(
            r, p, w.event,
            [w] {
              log::info("tenant_terms_edited",
                        {{"tenant", w.written.tenantId}, {"lang", w.written.lang}, {"by", w.written.updatedBy}});
              return jsonResponse(200, termsJson(w.terms));
            },
            [w](store::Store& store) {
              if (!store.replaceTerms(w.written, w.previous)) {
                log::warn("tenant_terms_undo_skipped", {{"tenant", w.written.tenantId}, {"reason", "changed_since"}});
                return;
              }
              log::error("tenant_terms_undone", {{"tenant", w.written.tenantId}, {"lang", w.written.lang},
                                                 {"reason", "audit_failed"}});
            });
      });
}

}  // namespace medrtc::signaling
