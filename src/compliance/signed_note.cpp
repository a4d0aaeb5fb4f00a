#include "compliance/signed_note.hpp"

#include <charconv>
#include <cstdio>

#include <sodium.h>

namespace medrtc::compliance {

namespace {

// U+2014 EM DASH followed by a space opens every signature line.
constexpr std::string_view kSigPrefix = "\xE2\x80\x94 ";
constexpr uint8_t kAlgEd25519 = 0x01;

uint32_t computeKeyHash(std::string_view name, std::span<const uint8_t> publicKey) {
  std::string data(name);
  data.push_back('\n');
  data.push_back(static_cast<char>(kAlgEd25519));
  data.append(reinterpret_cast<const char*>(publicKey.data()), publicKey.size());
  Hash h = sha256(data);
  return (uint32_t{h[0]} << 24) | (uint32_t{h[1]} << 16) | (uint32_t{h[2]} << 8) | h[3];
}

std::string hex8(uint32_t v) {
  char buf[9];
  std::snprintf(buf, sizeof(buf), "%08x", v);
  return buf;
}

bool parseHex8(std::string_view s, uint32_t& out) {
  if (s.size() != 8) {
    return false;
  }
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out, 16);
  return ec == std::errc() && p == s.data() + s.size();
}

// Splits "<a>+<b>+<rest>" into at most `maxParts` parts: the last part is the base64
// key, whose alphabet includes '+' itself.
std::vector<std::string_view> splitPlus(std::string_view s, size_t maxParts) {
  std::vector<std::string_view> parts;
  while (parts.size() + 1 < maxParts) {
    size_t plus = s.find('+');
    if (plus == std::string_view::npos) {
      break;
    }
    parts.push_back(s.substr(0, plus));
    s.remove_prefix(plus + 1);
  }
  parts.push_back(s);
  return parts;
}

}  // namespace

bool validKeyName(std::string_view name) {
  if (name.empty()) {
    return false;
  }
  for (unsigned char c : name) {
    if (c <= 0x20 || c == '+' || c == 0x7f) {
      return false;
    }
  }
  return true;
}

Result<NoteVerifier, std::string> NoteVerifier::fromVerifierKey(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  auto parts = splitPlus(text, 3);
  if (parts.size() != 3 || !validKeyName(parts[0])) {
    return fail(std::string("verifier key must be <name>+<hash>+<key>"));
  }
  uint32_t hash = 0;
  std::string key;
  if (!parseHex8(parts[1], hash) || !fromBase64(parts[2], key) || key.size() != 33 ||
      static_cast<uint8_t>(key[0]) != kAlgEd25519) {
    return fail(std::string("verifier key: bad hash or Ed25519 key"));
  }
  NoteVerifier v;
  v.name_ = std::string(parts[0]);
  std::copy(key.begin() + 1, key.end(), v.publicKey_.begin());
  v.keyHash_ = computeKeyHash(v.name_, v.publicKey_);
  if (v.keyHash_ != hash) {
    return fail(std::string("verifier key: key hash does not match name and key"));
  }
  return v;
}

std::string NoteVerifier::verifierKey() const {
  std::array<uint8_t, 33> k{};
  k[0] = kAlgEd25519;
  std::copy(publicKey_.begin(), publicKey_.end(), k.begin() + 1);
  return name_ + "+" + hex8(keyHash_) + "+" + toBase64(k);
}

bool NoteVerifier::verifySignature(std::string_view text, std::span<const uint8_t> signature) const {
  if (signature.size() != crypto_sign_BYTES) {
    return false;
  }
  return crypto_sign_verify_detached(signature.data(), reinterpret_cast<const unsigned char*>(text.data()),
                                     text.size(), publicKey_.data()) == 0;
}

Result<NoteSigner, std::string> NoteSigner::generate(std::string name) {
  if (!validKeyName(name) || sodium_init() < 0) {
    return fail(std::string("invalid key name '" + name + "'"));
  }
  NoteSigner s;
  crypto_sign_keypair(s.verifier_.publicKey_.data(), s.secretKey_.data());
  s.verifier_.name_ = std::move(name);
  s.verifier_.keyHash_ = computeKeyHash(s.verifier_.name_, s.verifier_.publicKey_);
  return s;
}

Result<NoteSigner, std::string> NoteSigner::fromPrivateKey(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
    text.remove_suffix(1);
  }
  auto parts = splitPlus(text, 5);
  if (parts.size() != 5 || parts[0] != "PRIVATE" || parts[1] != "KEY" || !validKeyName(parts[2])) {
    return fail(std::string("signer key must be PRIVATE+KEY+<name>+<hash>+<key>"));
  }
  uint32_t hash = 0;
  std::string seed;
  if (!parseHex8(parts[3], hash) || !fromBase64(parts[4], seed) || seed.size() != 33 ||
      static_cast<uint8_t>(seed[0]) != kAlgEd25519 || sodium_init() < 0) {
    return fail(std::string("signer key: bad hash or Ed25519 seed"));
  }
  NoteSigner s;
  crypto_sign_seed_keypair(s.verifier_.publicKey_.data(), s.secretKey_.data(),
                           reinterpret_cast<const unsigned char*>(seed.data() + 1));
  sodium_memzero(seed.data(), seed.size());
  s.verifier_.name_ = std::string(parts[2]);
  s.verifier_.keyHash_ = computeKeyHash(s.verifier_.name_, s.verifier_.publicKey_);
  if (s.verifier_.keyHash_ != hash) {
    return fail(std::string("signer key: key hash does not match name and key"));
  }
  return s;
}

std::string NoteSigner::privateKey() const {
  std::array<uint8_t, 33> k{};
  k[0] = kAlgEd25519;
  std::copy(secretKey_.begin(), secretKey_.begin() + 32, k.begin() + 1);  // the seed half
  std::string out = "PRIVATE+KEY+" + verifier_.name_ + "+" + hex8(verifier_.keyHash_) + "+" + toBase64(k);
  sodium_memzero(k.data(), k.size());
  return out;
}

std::string NoteSigner::sign(std::string_view text) const {
  std::array<uint8_t, 4 + crypto_sign_BYTES> blob{};
  uint32_t h = verifier_.keyHash_;
  blob[0] = static_cast<uint8_t>(h >> 24);
  blob[1] = static_cast<uint8_t>(h >> 16);
  blob[2] = static_cast<uint8_t>(h >> 8);
  blob[3] = static_cast<uint8_t>(h);
  crypto_sign_detached(blob.data() + 4, nullptr, reinterpret_cast<const unsigned char*>(text.data()), text.size(),
                       secretKey_.data());
  std::string note(text);
  note += "\n";
  note += kSigPrefix;
  note += verifier_.name_ + " " + toBase64(blob) + "\n";
  return note;
}

const char* noteErrorName(NoteError e) {
  switch (e) {
    case NoteError::Malformed:
      return "malformed note";
    case NoteError::UnknownKey:
      return "no signature by the trusted key";
    case NoteError::BadSignature:
      return "bad signature";
  }
  return "?";
}

Result<std::string, NoteError> openNote(std::string_view note, const NoteVerifier& verifier) {
  // signed-note: the text ends in a newline, then one blank line, then signature lines;
  // the last "\n\n" separates them (signatures contain no blank lines).
  if (note.empty() || note.back() != '\n') {
    return fail(NoteError::Malformed);
  }
  size_t split = note.rfind("\n\n");
  if (split == std::string_view::npos) {
    return fail(NoteError::Malformed);
  }
  std::string_view text = note.substr(0, split + 1);
  std::string_view sigs = note.substr(split + 2);
  bool sawKey = false;
  while (!sigs.empty()) {
    size_t eol = sigs.find('\n');
    std::string_view line = sigs.substr(0, eol);
    sigs.remove_prefix(eol + 1);
    if (line.substr(0, kSigPrefix.size()) != kSigPrefix) {
      return fail(NoteError::Malformed);
    }
    line.remove_prefix(kSigPrefix.size());
    size_t space = line.find(' ');
    if (space == std::string_view::npos) {
      return fail(NoteError::Malformed);
    }
    std::string_view name = line.substr(0, space);
    std::string blob;
    if (!fromBase64(line.substr(space + 1), blob) || blob.size() < 5) {
      return fail(NoteError::Malformed);
    }
    uint32_t hash = (uint32_t{static_cast<uint8_t>(blob[0])} << 24) | (uint32_t{static_cast<uint8_t>(blob[1])} << 16) |
                    (uint32_t{static_cast<uint8_t>(blob[2])} << 8) | static_cast<uint8_t>(blob[3]);
    if (name != verifier.name() || hash != verifier.keyHash()) {
      continue;  // another witness's signature: not ours to judge
    }
    sawKey = true;
    auto sig = std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(blob.data()) + 4, blob.size() - 4);
    if (!verifier.verifySignature(text, sig)) {
      return fail(NoteError::BadSignature);
    }
    return std::string(text);
  }
  return fail(sawKey ? NoteError::BadSignature : NoteError::UnknownKey);
}

std::string checkpointBody(const Checkpoint& cp) {
  std::string body = cp.origin + "\n" + std::to_string(cp.size) + "\n" + toBase64(cp.root) + "\n";
  if (cp.closed) {
    body += std::string(kClosedExtension) + "\n";
  }
  return body;
}

Result<Checkpoint, std::string> parseCheckpointBody(std::string_view text) {
  // tlog-checkpoint: origin, decimal size without leading zeros, base64 root; optional
  // extension lines follow: "closed" (kClosedExtension) marks a closing checkpoint; others
  // are ignored.
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    size_t eol = text.find('\n');
    if (eol == std::string_view::npos) {
      return fail(std::string("checkpoint text does not end in a newline"));
    }
    lines.push_back(text.substr(0, eol));
    text.remove_prefix(eol + 1);
  }
  if (lines.size() < 3 || lines[0].empty()) {
    return fail(std::string("checkpoint needs origin, size and root lines"));
  }
  Checkpoint cp;
  cp.origin = std::string(lines[0]);
  const auto& sz = lines[1];
  if (sz.empty() || (sz.size() > 1 && sz[0] == '0')) {
    return fail(std::string("checkpoint size is not a canonical decimal"));
  }
  auto [p, ec] = std::from_chars(sz.data(), sz.data() + sz.size(), cp.size);
  if (ec != std::errc() || p != sz.data() + sz.size()) {
    return fail(std::string("checkpoint size is not a decimal"));
  }
  std::string root;
  if (!fromBase64(lines[2], root) || root.size() != 32) {
    return fail(std::string("checkpoint root is not a base64 SHA-256 hash"));
  }
  std::copy(root.begin(), root.end(), cp.root.begin());
  for (size_t i = 3; i < lines.size(); ++i) {
    cp.closed = cp.closed || lines[i] == kClosedExtension;
  }
  return cp;
}

}  // namespace medrtc::compliance
