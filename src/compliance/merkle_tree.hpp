#pragma once
// The audit log's Merkle tree, exactly as RFC 6962 §2.1 defines it (and RFC 9162 §2.1
// restates): SHA-256, leaf hash H(0x00 || leaf), interior node H(0x01 || left || right),
// and for n leaves the left subtree holds the largest power of two smaller than n.
// The domain-separation prefixes stop a leaf from being passed off as an interior node.
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "compliance/sha256.hpp"

namespace medrtc::compliance {

Hash hashLeaf(std::span<const uint8_t> leaf);
Hash hashLeaf(std::string_view leaf);
Hash hashChildren(const Hash& left, const Hash& right);
// MTH({}) = SHA-256 of the empty string (RFC 6962 §2.1).
Hash emptyTreeHash();

// An append-only tree of leaf hashes. Keeps every complete (power-of-two, aligned)
// subtree so that any historic root and any proof costs O(log n) hashes.
class MerkleTree {
 public:
  void appendLeafHash(const Hash& leafHash);
  void appendLeaf(std::string_view leafData) { appendLeafHash(hashLeaf(leafData)); }

  uint64_t size() const { return levels_.empty() ? 0 : levels_[0].size(); }
  const Hash& leafHash(uint64_t index) const { return levels_[0][index]; }

  // MTH(D[0:n]) for any n <= size().
  Hash rootAt(uint64_t treeSize) const;
  Hash root() const { return rootAt(size()); }

  // PATH(m, D[0:n]), RFC 6962 §2.1.1. nullopt when index >= treeSize or treeSize > size().
  std::optional<std::vector<Hash>> inclusionProof(uint64_t index, uint64_t treeSize) const;
  // PROOF(m, D[0:n]), RFC 6962 §2.1.2. nullopt when m > n or n > size().
  std::optional<std::vector<Hash>> consistencyProof(uint64_t oldSize, uint64_t newSize) const;

 private:
  // MTH of D[start : start+count] where the range is a subtree of the RFC's recursion.
  Hash subtreeHash(uint64_t start, uint64_t count) const;
  void path(uint64_t index, uint64_t start, uint64_t count, std::vector<Hash>& out) const;
  void subproof(uint64_t m, uint64_t start, uint64_t count, bool whole, std::vector<Hash>& out) const;

  // levels_[k][i] = hash of the complete subtree over leaves [i*2^k, (i+1)*2^k).
  std::vector<std::vector<Hash>> levels_;
};

// RFC 9162 §2.1.3.2: recompute the root from a leaf hash and its inclusion proof.
std::optional<Hash> rootFromInclusionProof(uint64_t index, uint64_t treeSize, const Hash& leafHash,
                                           std::span<const Hash> proof);
bool verifyInclusion(uint64_t index, uint64_t treeSize, const Hash& leafHash, std::span<const Hash> proof,
                     const Hash& root);
// RFC 9162 §2.1.4.2: does the tree of size newSize with root newRoot extend the tree of
// size oldSize with root oldRoot?
bool verifyConsistency(uint64_t oldSize, uint64_t newSize, const Hash& oldRoot, const Hash& newRoot,
                       std::span<const Hash> proof);

}  // namespace medrtc::compliance
