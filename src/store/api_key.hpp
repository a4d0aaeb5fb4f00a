#pragma once
// API keys for integrators: "mk_" + 32 random bytes in base64url (RFC 4648 §5, no
// padding). The key is shown once; the store keeps only its BLAKE2b-256 hash
// (crypto_generichash), so a leaked database does not leak usable keys. Keys have 256
// bits of entropy, so a fast unsalted hash is enough (no password-style stretching).
#include <optional>
#include <string>
#include <string_view>

#include "store/store.hpp"

namespace medrtc::store {

// A fresh random key, e.g. "mk_Zk3...". 
std::string generateApiKey();
// Hex BLAKE2b-256 of the key's bytes.
std::string hashApiKey(std::string_view key);
// The first few characters, safe to show in listings.
std::string apiKeyPrefix(std::string_view key);

// Stores a key's hash and returns its record. `tenantId` empty: a node-operator key.
ApiKeyRecord registerApiKey(Store& store, std::string_view key, const std::string& name, UnixSeconds now,
                            const std::string& tenantId = "");
// The record of a presented key, if it is known. The lookup is by hash, so comparing
// the presented key never touches the stored secret byte by byte.
std::optional<ApiKeyRecord> authenticateApiKey(Store& store, std::string_view key);

}  // namespace medrtc::store
