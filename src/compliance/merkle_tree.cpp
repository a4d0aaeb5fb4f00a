#include "compliance/merkle_tree.hpp"

#include <bit>
#include <cstring>

#include <openssl/evp.h>

namespace medrtc::compliance {

namespace {

Hash hashWithPrefix(uint8_t prefix, std::span<const uint8_t> a, std::span<const uint8_t> b) {
  Hash out{};
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  EVP_DigestUpdate(ctx, &prefix, 1);
  EVP_DigestUpdate(ctx, a.data(), a.size());
  EVP_DigestUpdate(ctx, b.data(), b.size());
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx, out.data(), &len);
  EVP_MD_CTX_free(ctx);
  return out;
}

// The largest power of two strictly smaller than n (n >= 2): the RFC's split point k.
uint64_t splitPoint(uint64_t n) { return std::bit_floor(n - 1); }

}  // namespace

Hash hashLeaf(std::span<const uint8_t> leaf) { return hashWithPrefix(0x00, leaf, {}); }

Hash hashLeaf(std::string_view leaf) {
  return hashLeaf(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(leaf.data()), leaf.size()));
}

Hash hashChildren(const Hash& left, const Hash& right) { return hashWithPrefix(0x01, left, right); }

Hash emptyTreeHash() { return sha256(std::string_view{}); }

void MerkleTree::appendLeafHash(const Hash& leafHash) {
  if (levels_.empty()) {
    levels_.emplace_back();
  }
  levels_[0].push_back(leafHash);
  // Complete every subtree this leaf closes: while the level has an even count, the last
  // two nodes form a complete parent.
  for (size_t level = 0; levels_[level].size() % 2 == 0; ++level) {
    const auto& nodes = levels_[level];
    Hash parent = hashChildren(nodes[nodes.size() - 2], nodes[nodes.size() - 1]);
    if (levels_.size() == level + 1) {
      levels_.emplace_back();
    }
    levels_[level + 1].push_back(parent);
  }
}

Hash MerkleTree::subtreeHash(uint64_t start, uint64_t count) const {
  if (count == 0) {
    return emptyTreeHash();
  }
  if (std::has_single_bit(count) && start % count == 0) {
    size_t level = static_cast<size_t>(std::countr_zero(count));
    return levels_[level][start / count];
  }
  uint64_t k = splitPoint(count);
  return hashChildren(subtreeHash(start, k), subtreeHash(start + k, count - k));
}

Hash MerkleTree::rootAt(uint64_t treeSize) const { return subtreeHash(0, treeSize); }

// RFC 6962 §2.1.1: PATH(m, D[n]) = PATH(m, D[0:k]) : MTH(D[k:n]) for m < k,
//                                  PATH(m - k, D[k:n]) : MTH(D[0:k]) for m >= k.
void MerkleTree::path(uint64_t index, uint64_t start, uint64_t count, std::vector<Hash>& out) const {
  if (count <= 1) {
    return;
  }
  uint64_t k = splitPoint(count);
  if (index < k) {
    path(index, start, k, out);
    out.push_back(subtreeHash(start + k, count - k));
  } else {
    path(index - k, start + k, count - k, out);
    out.push_back(subtreeHash(start, k));
  }
}

std::optional<std::vector<Hash>> MerkleTree::inclusionProof(uint64_t index, uint64_t treeSize) const {
  if (index >= treeSize || treeSize > size()) {
    return std::nullopt;
  }
  std::vector<Hash> out;
  path(index, 0, treeSize, out);
  return out;
}

// RFC 6962 §2.1.2: SUBPROOF(m, D[n], b). `whole` is b: true while D[0:m] is still the
// whole old tree, whose root the verifier already knows.
void MerkleTree::subproof(uint64_t m, uint64_t start, uint64_t count, bool whole, std::vector<Hash>& out) const {
  if (m == count) {
    if (!whole) {
      out.push_back(subtreeHash(start, count));
    }
    return;
  }
  uint64_t k = splitPoint(count);
  if (m <= k) {
    subproof(m, start, k, whole, out);
    out.push_back(subtreeHash(start + k, count - k));
  } else {
    subproof(m - k, start + k, count - k, false, out);
    out.push_back(subtreeHash(start, k));
  }
}

std::optional<std::vector<Hash>> MerkleTree::consistencyProof(uint64_t oldSize, uint64_t newSize) const {
  if (oldSize > newSize || newSize > size()) {
    return std::nullopt;
  }
  std::vector<Hash> out;
  if (oldSize == 0 || oldSize == newSize) {
    return out;  // trivially consistent, empty proof
  }
  subproof(oldSize, 0, newSize, true, out);
  return out;
}

std::optional<Hash> rootFromInclusionProof(uint64_t index, uint64_t treeSize, const Hash& leafHash,
                                           std::span<const Hash> proof) {
  // RFC 9162 §2.1.3.2, steps 1-5.
  if (index >= treeSize) {
    return std::nullopt;
  }
  uint64_t fn = index;
  uint64_t sn = treeSize - 1;
  Hash r = leafHash;
  for (const Hash& p : proof) {
    if (sn == 0) {
      return std::nullopt;
    }
    if ((fn & 1) != 0 || fn == sn) {
      r = hashChildren(p, r);
      if ((fn & 1) == 0) {
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = hashChildren(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) {
    return std::nullopt;
  }
  return r;
}

bool verifyInclusion(uint64_t index, uint64_t treeSize, const Hash& leafHash, std::span<const Hash> proof,
                     const Hash& root) {
  auto computed = rootFromInclusionProof(index, treeSize, leafHash, proof);
  return computed && *computed == root;
}

bool verifyConsistency(uint64_t oldSize, uint64_t newSize, const Hash& oldRoot, const Hash& newRoot,
                       std::span<const Hash> proof) {
  if (oldSize > newSize) {
    return false;  // a log never shrinks
  }
  if (oldSize == newSize) {
    return proof.empty() && oldRoot == newRoot;
  }
  if (oldSize == 0) {
    return proof.empty();  // the empty tree is a prefix of every tree
  }
  // RFC 9162 §2.1.4.2, steps 1-7.
  if (proof.empty()) {
    return false;
  }
  std::vector<Hash> path;
  if (std::has_single_bit(oldSize)) {
    path.push_back(oldRoot);  // step 2: the old root is itself a node of the new tree
  }
  path.insert(path.end(), proof.begin(), proof.end());
  uint64_t fn = oldSize - 1;
  uint64_t sn = newSize - 1;
  while ((fn & 1) != 0) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr = path[0];
  Hash sr = path[0];
  for (size_t i = 1; i < path.size(); ++i) {
    const Hash& c = path[i];
    if (sn == 0) {
      return false;
    }
    if ((fn & 1) != 0 || fn == sn) {
      fr = hashChildren(c, fr);
      sr = hashChildren(c, sr);
      if ((fn & 1) == 0) {
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      sr = hashChildren(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return fr == oldRoot && sr == newRoot && sn == 0;
}

}  // namespace medrtc::compliance
