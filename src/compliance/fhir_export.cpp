#include "compliance/fhir_export.hpp"

#include <boost/json.hpp>

#include <unistd.h>

#include "compliance/audit_event.hpp"
#include "compliance/audit_format.hpp"
#include "compliance/audit_log.hpp"

namespace medrtc::compliance {

namespace json = boost::json;

namespace {

json::object coding(const Coding& c) { return {{"system", c.system}, {"code", c.code}, {"display", c.display}}; }

// keys == nullptr: pseudonymised, the field is not opened at all.
std::string openPersonal(const PersonalText& p, SubjectKeyStore* keys) {
  if (keys == nullptr) {
    return kSealedText;
  }
  auto key = keys->findKey(p.subjectId);
  if (!key) {
    return kErasedText;
  }
  auto text = openText(*key, p.sealed);
  return text ? *text : std::string(kErasedText);
}

// FHIR R4 AuditEvent (https://hl7.org/fhir/R4/auditevent.html).
json::object toFhir(const AuditEvent& e, uint64_t index, const std::string& leafHex, SubjectKeyStore* keys) {
  json::object r;
  r["resourceType"] = "AuditEvent";
  r["id"] = "audit-" + std::to_string(index);
  // The leaf hash lets a reader tie the resource back to the signed Merkle tree.
  r["meta"] = json::object{{"tag", json::array{json::object{{"system", "urn:medrtc:audit:leaf-sha256"},
                                                            {"code", leafHex}}}}};
  r["type"] = coding(e.type);
  if (!e.subtype.empty()) {
    json::array subtypes;
    for (const auto& s : e.subtype) {
      subtypes.push_back(coding(s));
    }
    r["subtype"] = std::move(subtypes);
  }
  r["action"] = std::string(1, actionCode(e.action));
  r["recorded"] = formatInstant(e.recorded);
  r["outcome"] = std::to_string(static_cast<int>(e.outcome));
  if (!e.outcomeDesc.empty()) {
    r["outcomeDesc"] = e.outcomeDesc;
  }
  json::array agents;
  for (const auto& a : e.agents) {
    json::object ao;
    ao["who"] = json::object{{"reference", a.who}};
    if (!a.role.empty()) {
      ao["role"] = json::array{json::object{{"text", a.role}}};
    }
    if (a.name) {
      ao["name"] = openPersonal(*a.name, keys);
    }
    ao["requestor"] = a.requestor;
    agents.push_back(std::move(ao));
  }
  r["agent"] = std::move(agents);
  r["source"] = json::object{{"observer", json::object{{"display", e.sourceNode}}}};
  if (!e.entities.empty()) {
    json::array entities;
    for (const auto& en : e.entities) {
      json::object what{{"reference", en.what}};
      if (en.display) {
        what["display"] = openPersonal(*en.display, keys);
      }
      entities.push_back(json::object{{"what", std::move(what)}});
    }
    r["entity"] = std::move(entities);
  }
  return r;
}

}  // namespace

Result<uint64_t, std::string> exportFhirBundle(const std::filesystem::path& dataDir, std::ostream& out,
                                               const FhirExportOptions& options) {
  bool exists = false;
  std::string text = readWholeFile(audit_files::events(dataDir), exists);
  if (!exists) {
    return fail(std::string("no audit log at ") + audit_files::events(dataDir).string());
  }
  std::unique_ptr<FileSubjectKeyStore> ownKeys;
  SubjectKeyStore* keys = options.unsealed ? options.subjectKeys : nullptr;
  if (options.unsealed && keys == nullptr) {
    ownKeys = std::make_unique<FileSubjectKeyStore>(audit_files::subjectKeys(dataDir));
    keys = ownKeys.get();
  }
  json::array entries;
  uint64_t count = 0;
  for (auto line : splitLines(text).lines) {
    auto decoded = decodeEventLine(line);
    if (!decoded || decoded->index != count || decoded->storedLeaf != decoded->computedLeaf) {
      break;
    }
    auto event = fromLogJson(decoded->event);
    if (!event) {
      break;
    }
    entries.push_back(json::object{{"resource", toFhir(event.value(), count, toHex(decoded->storedLeaf), keys)}});
    ++count;
  }
  json::object bundle{{"resourceType", "Bundle"}, {"type", options.bundleType}};
  if (!options.unsealed) {
    // HL7 v3 ObservationValue PSEUDED: the reader sees pseudonyms, not identities.
    bundle["meta"] = json::object{
        {"security", json::array{json::object{{"system", "http://terminology.hl7.org/CodeSystem/v3-ObservationValue"},
                                              {"code", "PSEUDED"},
                                              {"display", "pseudonymized"}}}}};
  }
  if (options.bundleType == "searchset") {
    bundle["total"] = count;
  }
  bundle["entry"] = std::move(entries);
  out << json::serialize(bundle) << "\n";
  return count;
}

namespace {

// H6: reading names out of the log is itself an audited access. The event is durable
// before a single name is written; the operator is known by the process's uid.
void recordUnsealedExport(const std::filesystem::path& dataDir) {
  AuditLogOptions options;
  options.dataDir = dataDir;
  options.sourceNode = "medrtc-cli";
  auto log = AuditLog::open(std::move(options));
  AuditEvent e;
  e.type = dicom::exportEvent();
  e.subtype = {dicom::auditLogUsed()};
  e.action = AuditAction::Read;
  e.outcome = AuditOutcome::Success;
  e.outcomeDesc = "audit_export: unsealed (personal fields in clear)";
  e.agents.push_back(AuditAgent{"Device/medrtc-cli/uid-" + std::to_string(::getuid()), "operator", true, std::nullopt});
  log->append(std::move(e));
  log->close();
}

}  // namespace

int runAuditExport(const std::filesystem::path& dataDir, const std::string& format, std::ostream& out,
                   std::ostream& err, bool unsealed) {
  if (format != "fhir") {
    err << "unknown export format '" << format << "' (supported: fhir)\n";
    return 1;
  }
  FhirExportOptions options;
  options.unsealed = unsealed;
  if (unsealed) {
    if (!std::filesystem::exists(audit_files::events(dataDir))) {
      err << "no audit log at " << audit_files::events(dataDir).string() << "\n";
      return 1;
    }
    try {
      recordUnsealedExport(dataDir);
    } catch (const std::exception& e) {  // AuditLogError, or the filesystem's
      err << e.what() << "\n"
          << "an unsealed export must be recorded in the audit log first: stop medrtc serve (it holds the log) or "
             "export without --unsealed (pseudonymised)\n";
      return 1;
    }
  }
  auto result = exportFhirBundle(dataDir, out, options);
  if (!result) {
    err << result.error() << "\n";
    return 1;
  }
  return 0;
}

}  // namespace medrtc::compliance
