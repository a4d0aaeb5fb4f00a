#include "clinic/terms_service.hpp"
#include "log/log.hpp"


#include <algorithm>
#include <chrono>

#include "clinic/clinic_audit.hpp"

namespace medrtc::clinic {

namespace cp = compliance;

std::string defaultTermsText(std::string_view lang, const std::string& practice) {
  // What is true of every medrtc consultation; a practice replaces it with its own notice.
  if (lang == "de") {
    return "Nutzungsbedingungen und Datenschutz – " + practice +
           "\n\nDie Videosprechstunde ist eine ärztliche Behandlung wie in der Praxis. Sie findet in einem "
           "virtuellen Wartezimmer statt: Sie kommen erst in das Gespräch, wenn die Praxis Sie einlässt.\n\n"
           "Ton und Bild werden verschlüsselt übertragen und weder aufgezeichnet noch gespeichert. Es werden "
           "keine Inhalte des Gesprächs und keine Chatnachrichten aufbewahrt; Verbindungsdaten (Zeitpunkte) "
           "werden nach spätestens drei Monaten gelöscht.\n\nVerantwortlich für die Verarbeitung Ihrer Daten ist "
           "die Praxis. Fragen zum Datenschutz richten Sie bitte an die Praxis.";
  }
  if (lang == "fr") {
    return "Conditions d'utilisation et confidentialité – " + practice +
           "\n\nLa téléconsultation est un acte médical comme au cabinet. Elle commence dans une salle d'attente "
           "virtuelle : vous entrez dans l'appel lorsque le cabinet vous admet.\n\nLe son et l'image sont chiffrés "
           "pendant la transmission et ne sont ni enregistrés ni conservés. Aucun contenu de la consultation ni "
           "message de chat n'est gardé ; les données de connexion (horaires) sont effacées au plus tard après "
           "trois mois.\n\nLe cabinet est responsable du traitement de vos données. Pour toute question sur la "
           "confidentialité, adressez-vous au cabinet.";
  }
  return "Terms of use and privacy – " + practice +
         "\n\nThe video consultation is medical care just like a visit to the practice. It starts in a virtual "
         "waiting room: you join the call when the practice lets you in.\n\nSound and video are encrypted in "
         "transit and are neither recorded nor stored. No content of the consultation and no chat messages are "
         "kept; connection data (times) are deleted after three months at the latest.\n\nThe practice is "
         "responsible for processing your data. Please ask the practice about anything concerning your privacy.";
}

TermsService::TermsService(store::Store& store, const Clock& clock, compliance::AuditSink* audit)
    : store_(store), clock_(clock), audit_(audit) {}

std::optional<TenantTerms> TermsService::read(const std::string& tenantId) { return read(store_, tenantId); }

std::optional<TenantTerms> TermsService::read(store::Store& store, const std::string& tenantId) {
  auto tenant = store.findTenant(tenantId);
  if (!tenant) {
    return std::nullopt;
  }
  TenantTerms out{tenant->id, tenant->displayName.empty() ? tenant->name : tenant->displayName, {}};
  std::vector<store::TermsRecord> stored = store.listTerms(tenant->id);
  for (std::string_view lang : kTermsLanguages) {
    auto own = std::find_if(stored.begin(), stored.end(),
                            [&](const store::TermsRecord& r) { return r.lang == lang && !r.body.empty(); });
    if (own != stored.end()) {
      out.texts.push_back(TermsText{std::string(lang), own->body, false, own->updatedAt});
    } else {
      out.texts.push_back(TermsText{std::string(lang), defaultTermsText(lang, out.tenantName), true, 0});
    }
  }
  return out;
}

Result<TermsService::Written, ClinicFailure> TermsService::writeIn(store::Store& store, const SessionContext& who,
                                                                   const std::string& tenantId,
                                                                   const std::string& lang, const std::string& text,
                                                                   int64_t now) {
  if (who.tenant.id != tenantId) {
    return fail(ClinicFailure{ClinicError::kNotFound, "tenant_not_found", "no such tenant"});
  }
  if (who.user.role != "admin") {
    return fail(ClinicFailure{ClinicError::kForbidden, "forbidden", "only a practice admin edits the terms"});
  }
  if (std::find(kTermsLanguages.begin(), kTermsLanguages.end(), lang) == kTermsLanguages.end()) {
    return fail(ClinicFailure{ClinicError::kInvalid, "invalid_field", "\"lang\" must be one of en, de, fr"});
  }
  std::vector<store::TermsRecord> stored = store.listTerms(tenantId);
  auto previous = std::find_if(stored.begin(), stored.end(), [&](const store::TermsRecord& r) { return r.lang == lang; });
  Written w;
  w.previous = previous != stored.end() ? *previous : store::TermsRecord{tenantId, lang, "", now, ""};
  w.written = store::TermsRecord{tenantId, lang, text, now, who.user.id};
  store.putTerms(w.written);
  w.event = AuditFacts{cp::dicom::applicationActivity(), std::nullopt, cp::AuditAction::Update,
                       cp::AuditOutcome::Success, "tenant_terms", text.empty() ? "reset:" + lang : "edit:" + lang,
                       who.user.id, who.user.role, "", "Organization/" + tenantId, "", std::nullopt};
  w.terms = *read(store, tenantId);
  return w;
}

Result<TenantTerms, ClinicFailure> TermsService::write(const SessionContext& who, const std::string& tenantId,
                                                       const std::string& lang, const std::string& text) {
  int64_t now = std::chrono::duration_cast<std::chrono::seconds>(clock_.wallNow().time_since_epoch()).count();
  auto written = writeIn(store_, who, tenantId, lang, text, now);
  if (!written) {
    return fail(written.error());
  }
  try {
    audit(audit_, written->event);
  } catch (...) {
    // Fail closed (H6): an edit that cannot be audited does not stand.
    store_.replaceTerms(written->written, written->previous);
    throw;
  }
  log::info("tenant_terms_edited", {{"tenant", tenantId}, {"lang", lang}, {"by", who.user.id}});
  return std::move(written->terms);
}

}  // namespace medrtc::clinic
