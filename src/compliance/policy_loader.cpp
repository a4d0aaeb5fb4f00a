// Loads policies/<name>.toml with toml++. The schema is a table of fields: anything the
// table does not name is refused with its file, line and dotted key, because a misspelt
// rule ("recordng.allowed") that silently falls back to a default is a compliance bug.
#include <algorithm>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "compliance/policy_profile.hpp"
#include "compliance/region.hpp"

namespace medrtc::compliance {

std::string PolicyError::toString() const {
  std::ostringstream out;
  out << file;
  if (line > 0) {
    out << ":" << line;
  }
  out << ": " << message;
  return out.str();
}

namespace {

// A refused value: why, and (for an array element) the element's own line.
struct FieldError {
  std::string message;
  uint32_t line = 0;
  FieldError(std::string m, uint32_t l = 0) : message(std::move(m)), line(l) {}  // NOLINT: implicit by design
};

using Apply = std::function<std::optional<FieldError>(const toml::node&, PolicyProfile&)>;

struct Field {
  std::string_view path;
  Apply apply;
};

std::string typeName(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string:
      return "string";
    case toml::node_type::integer:
      return "integer";
    case toml::node_type::floating_point:
      return "float";
    case toml::node_type::boolean:
      return "boolean";
    case toml::node_type::array:
      return "array";
    case toml::node_type::table:
      return "table";
    default:
      return "date/time";
  }
}

Apply boolField(bool PolicyProfile::*member) {
  return [member](const toml::node& n, PolicyProfile& p) -> std::optional<FieldError> {
    auto v = n.value_exact<bool>();
    if (!v) {
      return "must be a boolean (true/false), got " + typeName(n);
    }
    p.*member = *v;
    return std::nullopt;
  };
}

Apply uintField(uint32_t PolicyProfile::*member, int64_t min, int64_t max) {
  return [=](const toml::node& n, PolicyProfile& p) -> std::optional<FieldError> {
    auto v = n.value_exact<int64_t>();
    if (!v) {
      return "must be an integer, got " + typeName(n);
    }
    if (*v < min || *v > max) {
      return "value " + std::to_string(*v) + " out of range [" + std::to_string(min) + ", " + std::to_string(max) +
             "]";
    }
    p.*member = static_cast<uint32_t>(*v);
    return std::nullopt;
  };
}

Apply stringField(std::string PolicyProfile::*member, std::vector<std::string> allowed) {
  return [member, allowed](const toml::node& n, PolicyProfile& p) -> std::optional<FieldError> {
    auto v = n.value_exact<std::string>();
    if (!v) {
      return "must be a string, got " + typeName(n);
    }
    if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), *v) == allowed.end()) {
      std::string list;
      for (const auto& a : allowed) {
        list += (list.empty() ? "" : ", ") + ("\"" + a + "\"");
      }
      return "value \"" + *v + "\" is not one of " + list;
    }
    p.*member = *v;
    return std::nullopt;
  };
}

using Check = std::function<std::optional<std::string>(const std::string&)>;

Apply stringListField(std::vector<std::string> PolicyProfile::*member, bool nonEmpty, Check check) {
  return [=](const toml::node& n, PolicyProfile& p) -> std::optional<FieldError> {
    const toml::array* arr = n.as_array();
    if (arr == nullptr) {
      return "must be an array of strings, got " + typeName(n);
    }
    if (nonEmpty && arr->empty()) {
      return FieldError{"must list at least one value"};
    }
    std::vector<std::string> values;
    for (const toml::node& el : *arr) {
      auto v = el.value_exact<std::string>();
      if (!v) {
        return FieldError{"elements must be strings, got " + typeName(el), el.source().begin.line};
      }
      if (auto err = check(*v)) {
        return FieldError{*err, el.source().begin.line};
      }
      values.push_back(*v);
    }
    p.*member = std::move(values);
    return std::nullopt;
  };
}

std::optional<std::string> checkRegion(const std::string& code) {
  if (!findRegion(code)) {
    return "unknown region \"" + code + "\" (see docs/compliance/README.md, region vocabulary)";
  }
  return std::nullopt;
}

std::optional<std::string> checkOrigin(const std::string& origin) {
  // An origin is scheme://host[:port] with no path (RFC 6454 §4); only https is acceptable.
  if (origin.rfind("https://", 0) != 0 || origin.size() <= 8 ||
      origin.find('/', 8) != std::string::npos) {
    return "origin \"" + origin + "\" must look like https://host[:port]";
  }
  return std::nullopt;
}

const std::vector<Field>& schema() {
  static const std::vector<Field> kFields = {
      {"profile.name", stringField(&PolicyProfile::name, {})},
      {"profile.title", stringField(&PolicyProfile::title, {})},
      {"regions.media", stringListField(&PolicyProfile::mediaRegions, true, checkRegion)},
      {"regions.storage", stringListField(&PolicyProfile::storageRegions, true, checkRegion)},
      {"regions.required_host_certification",
       stringField(&PolicyProfile::requiredHostCertification, {"", "hds"})},
      {"encryption.e2ee_required", boolField(&PolicyProfile::e2eeRequired)},
      {"encryption.min_tls_version", stringField(&PolicyProfile::minTlsVersion, {"1.2", "1.3"})},
      {"encryption.turn_credential_ttl_seconds", uintField(&PolicyProfile::turnCredentialTtlSeconds, 60, 86400)},
      {"media.p2p_preferred_one_to_one", boolField(&PolicyProfile::p2pPreferredOneToOne)},
      {"recording.allowed", boolField(&PolicyProfile::recordingAllowed)},
      {"transcription.allowed", boolField(&PolicyProfile::transcriptionAllowed)},
      {"retention.metadata_days", uintField(&PolicyProfile::metadataRetentionDays, 1, 36500)},
      {"retention.audit_years", uintField(&PolicyProfile::auditRetentionYears, 1, 100)},
      {"session.idle_logoff_minutes", uintField(&PolicyProfile::idleLogoffMinutes, 1, 1440)},
      {"session.third_participant_needs_host_approval",
       boolField(&PolicyProfile::thirdParticipantNeedsHostApproval)},
      {"accounts.staff_mfa_required", boolField(&PolicyProfile::staffMfaRequired)},
      {"web.third_party_origins", stringListField(&PolicyProfile::allowedThirdPartyOrigins, false, checkOrigin)},
  };
  return kFields;
}

const Field* findField(std::string_view path) {
  for (const auto& f : schema()) {
    if (f.path == path) {
      return &f;
    }
  }
  return nullptr;
}

bool isTablePrefix(std::string_view path) {
  for (const auto& f : schema()) {
    if (f.path.size() > path.size() && f.path.substr(0, path.size()) == path && f.path[path.size()] == '.') {
      return true;
    }
  }
  return false;
}

// The first leaf under an unknown table, so the error names the full misspelt key.
void firstLeaf(const toml::node& node, std::string& path, uint32_t& line) {
  const toml::table* t = node.as_table();
  if (t == nullptr || t->empty()) {
    return;
  }
  // Keep the iterator alive: toml++'s operator* returns a reference into the iterator.
  auto first = t->begin();
  const auto& [key, child] = *first;
  path += "." + std::string(key.str());
  line = key.source().begin.line;
  firstLeaf(child, path, line);
}

std::optional<PolicyError> walk(const toml::table& table, const std::string& prefix, const std::string& file,
                                PolicyProfile& profile, std::set<std::string>& seen) {
  for (const auto& [key, node] : table) {
    std::string path = prefix.empty() ? std::string(key.str()) : prefix + "." + std::string(key.str());
    uint32_t line = key.source().begin.line;
    if (const Field* field = findField(path)) {
      if (auto err = field->apply(node, profile)) {
        if (err->line > 0) {
          line = err->line;
        }
        return PolicyError{file, line, path, "key '" + path + "' " + err->message};
      }
      seen.insert(path);
      continue;
    }
    if (isTablePrefix(path)) {
      const toml::table* sub = node.as_table();
      if (sub == nullptr) {
        return PolicyError{file, line, path, "key '" + path + "' must be a table, got " + typeName(node)};
      }
      if (auto err = walk(*sub, path, file, profile, seen)) {
        return err;
      }
      continue;
    }
    std::string full = path;
    firstLeaf(node, full, line);
    return PolicyError{file, line, full, "unknown key '" + full + "'"};
  }
  return std::nullopt;
}

}  // namespace

Result<PolicyProfile, PolicyError> parsePolicy(std::string_view text, const std::string& fileName) {
  toml::table root;
  try {
    root = toml::parse(text, fileName);
  } catch (const toml::parse_error& e) {
    return fail(PolicyError{fileName, e.source().begin.line, "", "TOML syntax error: " + std::string(e.description())});
  }
  PolicyProfile profile;
  profile.source = fileName;
  std::set<std::string> seen;
  if (auto err = walk(root, "", fileName, profile, seen)) {
    return fail(*err);
  }
  for (const auto& f : schema()) {
    if (seen.count(std::string(f.path)) == 0) {
      return fail(PolicyError{fileName, 0, std::string(f.path), "missing key '" + std::string(f.path) +
                                                                    "' (every rule must be stated)"});
    }
  }
  if (profile.name.empty()) {
    return fail(PolicyError{fileName, 0, "profile.name", "key 'profile.name' must not be empty"});
  }
  return profile;
}

Result<PolicyProfile, PolicyError> loadPolicy(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return fail(PolicyError{file.string(), 0, "", "cannot open policy file"});
  }
  std::stringstream buffer;
  buffer << in.rdbuf();
  return parsePolicy(buffer.str(), file.string());
}

const std::vector<std::string>& builtInProfileNames() {
  static const std::vector<std::string> kNames = {"kbv", "hipaa", "gdpr", "hds"};
  return kNames;
}

Result<PolicyProfile, PolicyError> loadPolicyByName(std::string_view name, const std::filesystem::path& policiesDir) {
  const auto& names = builtInProfileNames();
  if (std::find(names.begin(), names.end(), name) == names.end()) {
    return fail(PolicyError{std::string(name), 0, "",
                            "unknown policy profile '" + std::string(name) + "' (known: kbv, hipaa, gdpr, hds)"});
  }
  auto file = policiesDir / (std::string(name) + ".toml");
  auto profile = loadPolicy(file);
  if (profile && profile->name != name) {
    return fail(PolicyError{file.string(), 0, "profile.name",
                            "key 'profile.name' is \"" + profile->name + "\" but the file is " + std::string(name) +
                                ".toml"});
  }
  return profile;
}

}  // namespace medrtc::compliance
