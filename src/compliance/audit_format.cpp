#include "compliance/audit_format.hpp"

#include <fstream>
#include <sstream>

#include <boost/json.hpp>

#include "compliance/canonical_json.hpp"
#include "compliance/merkle_tree.hpp"

namespace medrtc::compliance {

namespace audit_files {
std::filesystem::path dir(const std::filesystem::path& dataDir) { return dataDir / "audit"; }
std::filesystem::path events(const std::filesystem::path& dataDir) { return dir(dataDir) / "events.log"; }
std::filesystem::path checkpoints(const std::filesystem::path& dataDir) { return dir(dataDir) / "checkpoints.log"; }
std::filesystem::path signingKey(const std::filesystem::path& dataDir) { return dir(dataDir) / "signing.key"; }
std::filesystem::path signingPub(const std::filesystem::path& dataDir) { return dir(dataDir) / "signing.pub"; }
std::filesystem::path subjectKeys(const std::filesystem::path& dataDir) { return dir(dataDir) / "subject-keys"; }
}  // namespace audit_files

namespace json = boost::json;

std::string encodeEventLine(const json::value& eventJson, uint64_t index, Hash& leafHash) {
  json::object leaf{{"event", eventJson}, {"index", index}};
  leafHash = hashLeaf(canonicalJson(leaf));
  leaf["leaf"] = toHex(leafHash);
  return canonicalJson(leaf);
}

Result<DecodedLine, LineError> decodeEventLine(std::string_view line) {
  boost::system::error_code ec;
  json::value v = json::parse(line, ec);
  if (ec) {
    return fail(LineError::NotJson);
  }
  // Any byte that does not change the parsed value (spaces, key order, escapes) is still
  // an edit: the line must be exactly its canonical form.
  if (canonicalJson(v) != line) {
    return fail(LineError::NotCanonical);
  }
  if (!v.is_object()) {
    return fail(LineError::MissingFields);
  }
  auto& o = v.as_object();
  const json::value* event = o.if_contains("event");
  const json::value* index = o.if_contains("index");
  const json::value* leaf = o.if_contains("leaf");
  if (o.size() != 3 || event == nullptr || index == nullptr || leaf == nullptr || !leaf->is_string() ||
      !(index->is_uint64() || (index->is_int64() && index->get_int64() >= 0))) {
    return fail(LineError::MissingFields);
  }
  DecodedLine d;
  d.index = index->is_uint64() ? index->get_uint64() : static_cast<uint64_t>(index->get_int64());
  if (!hashFromHex(leaf->get_string(), d.storedLeaf)) {
    return fail(LineError::MissingFields);
  }
  json::object hashed{{"event", *event}, {"index", *index}};
  d.computedLeaf = hashLeaf(canonicalJson(hashed));
  d.event = *event;
  return d;
}

SplitLines splitLines(std::string_view text) {
  SplitLines out;
  size_t start = 0;
  while (start < text.size()) {
    size_t eol = text.find('\n', start);
    if (eol == std::string_view::npos) {
      out.tornTail = text.substr(start);
      break;
    }
    out.lines.push_back(text.substr(start, eol - start));
    start = eol + 1;
    out.completeBytes = start;
  }
  return out;
}

SplitNotes splitNotes(std::string_view text) {
  constexpr std::string_view kSigPrefix = "\xE2\x80\x94 ";
  SplitNotes out;
  size_t pos = 0;
  while (pos < text.size()) {
    // Skip separating blank lines.
    if (text[pos] == '\n') {
      ++pos;
      out.completeBytes = pos;
      continue;
    }
    size_t noteStart = pos;
    // Text lines up to the blank line.
    size_t blank = text.find("\n\n", pos);
    if (blank == std::string_view::npos) {
      out.torn = true;
      return out;
    }
    pos = blank + 2;
    // One or more signature lines.
    size_t sigLines = 0;
    while (pos < text.size() && text.substr(pos, kSigPrefix.size()) == kSigPrefix) {
      size_t eol = text.find('\n', pos);
      if (eol == std::string_view::npos) {
        out.torn = true;
        return out;
      }
      pos = eol + 1;
      ++sigLines;
    }
    if (sigLines == 0) {
      out.torn = true;
      return out;
    }
    out.notes.emplace_back(text.substr(noteStart, pos - noteStart));
    out.completeBytes = pos;
  }
  return out;
}

std::string readWholeFile(const std::filesystem::path& path, bool& exists) {
  std::ifstream in(path, std::ios::binary);
  exists = static_cast<bool>(in);
  if (!in) {
    return {};
  }
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace medrtc::compliance
