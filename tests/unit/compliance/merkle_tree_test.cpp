// RFC 6962 Merkle tree against the known-answer vectors that certificate-transparency
// implementations share (transparency-dev/merkle proof/verify_test.go: the 8 leaves
// "", 00, 10, 2021, 3031, 40414243, 5051525354555657, 606162...6f).
#include <gtest/gtest.h>

#include "compliance/merkle_tree.hpp"

namespace medrtc::compliance {
namespace {

Hash h(const char* hex) {
  Hash out{};
  EXPECT_TRUE(hashFromHex(hex, out)) << hex;
  return out;
}

std::string unhex(std::string_view hex) {
  std::string out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
  }
  return out;
}

const char* kLeaves[] = {"", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                         "606162636465666768696a6b6c6d6e6f"};

const char* kRoots[] = {
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

MerkleTree vectorTree() {
  MerkleTree tree;
  for (const char* leaf : kLeaves) {
    tree.appendLeaf(unhex(leaf));
  }
  return tree;
}

struct InclusionVector {
  uint64_t index;  // 0-based here; the Go table is 1-based
  uint64_t size;
  std::vector<const char*> proof;
};

const InclusionVector kInclusion[] = {
    {0, 1, {}},
    {0, 8,
     {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {5, 8,
     {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {2, 3, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
    {1, 5,
     {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
};

struct ConsistencyVector {
  uint64_t size1;
  uint64_t size2;
  std::vector<const char*> proof;
};

const ConsistencyVector kConsistency[] = {
    {1, 1, {}},
    {1, 8,
     {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
    {6, 8,
     {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
    {2, 5,
     {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
    {6, 7,
     {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
};

std::vector<Hash> hashes(const std::vector<const char*>& hex) {
  std::vector<Hash> out;
  for (const char* x : hex) {
    out.push_back(h(x));
  }
  return out;
}

TEST(MerkleTree, EmptyTreeRootIsHashOfEmptyString) {
  MerkleTree tree;
  EXPECT_EQ(toHex(tree.root()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(MerkleTree, RootsMatchRfc6962VectorsForEverySize) {
  MerkleTree tree;
  for (size_t i = 0; i < 8; ++i) {
    tree.appendLeaf(unhex(kLeaves[i]));
    EXPECT_EQ(toHex(tree.root()), kRoots[i]) << "size " << i + 1;
  }
  // Historic roots come from the same tree.
  for (size_t i = 0; i < 8; ++i) {
    EXPECT_EQ(toHex(tree.rootAt(i + 1)), kRoots[i]);
  }
}

TEST(MerkleTree, InclusionProofsMatchVectorsAndVerify) {
  MerkleTree tree = vectorTree();
  for (const auto& v : kInclusion) {
    auto proof = tree.inclusionProof(v.index, v.size);
    ASSERT_TRUE(proof);
    EXPECT_EQ(*proof, hashes(v.proof)) << v.index << "/" << v.size;
    EXPECT_TRUE(verifyInclusion(v.index, v.size, tree.leafHash(v.index), *proof, h(kRoots[v.size - 1])));
  }
}

TEST(MerkleTree, InclusionVerificationRejectsCorruptedProofs) {
  MerkleTree tree = vectorTree();
  for (const auto& v : kInclusion) {
    auto proof = hashes(v.proof);
    Hash root = h(kRoots[v.size - 1]);
    Hash leaf = tree.leafHash(v.index);
    EXPECT_FALSE(verifyInclusion(v.index + 1, v.size, leaf, proof, root));
    EXPECT_FALSE(verifyInclusion(v.index, v.size * 2, leaf, proof, root));
    EXPECT_FALSE(verifyInclusion(v.index, v.size, hashLeaf("WrongLeaf"), proof, root));
    EXPECT_FALSE(verifyInclusion(v.index, v.size, leaf, proof, emptyTreeHash()));
    auto extended = proof;
    extended.push_back(root);
    EXPECT_FALSE(verifyInclusion(v.index, v.size, leaf, extended, root));
    for (size_t i = 0; i < proof.size(); ++i) {
      auto flipped = proof;
      flipped[i][0] ^= 8;
      EXPECT_FALSE(verifyInclusion(v.index, v.size, leaf, flipped, root));
    }
    if (!proof.empty()) {
      auto shorter = proof;
      shorter.pop_back();
      EXPECT_FALSE(verifyInclusion(v.index, v.size, leaf, shorter, root));
    }
  }
  EXPECT_FALSE(verifyInclusion(0, 0, emptyTreeHash(), {}, emptyTreeHash()));
}

TEST(MerkleTree, ConsistencyProofsMatchVectorsAndVerify) {
  MerkleTree tree = vectorTree();
  for (const auto& v : kConsistency) {
    auto proof = tree.consistencyProof(v.size1, v.size2);
    ASSERT_TRUE(proof);
    EXPECT_EQ(*proof, hashes(v.proof)) << v.size1 << "->" << v.size2;
    EXPECT_TRUE(verifyConsistency(v.size1, v.size2, h(kRoots[v.size1 - 1]), h(kRoots[v.size2 - 1]), *proof));
  }
}

TEST(MerkleTree, ConsistencyVerificationRejectsCorruptedProofs) {
  for (const auto& v : kConsistency) {
    auto proof = hashes(v.proof);
    if (proof.empty()) {
      continue;
    }
    Hash r1 = h(kRoots[v.size1 - 1]);
    Hash r2 = h(kRoots[v.size2 - 1]);
    EXPECT_FALSE(verifyConsistency(v.size1 - 1, v.size2, r1, r2, proof));
    EXPECT_FALSE(verifyConsistency(v.size1 + 1, v.size2, r1, r2, proof));
    EXPECT_FALSE(verifyConsistency(v.size1, v.size2 * 2, r1, r2, proof));
    EXPECT_FALSE(verifyConsistency(v.size1, v.size2, r2, r1, proof));
    EXPECT_FALSE(verifyConsistency(v.size1, v.size2, r1, r2, {}));
    auto longer = proof;
    longer.push_back(r1);
    EXPECT_FALSE(verifyConsistency(v.size1, v.size2, r1, r2, longer));
    for (size_t i = 0; i < proof.size(); ++i) {
      auto flipped = proof;
      flipped[i][0] ^= 16;
      EXPECT_FALSE(verifyConsistency(v.size1, v.size2, r1, r2, flipped));
    }
  }
}

TEST(MerkleTree, TrivialConsistencyCases) {
  Hash a = hashLeaf("a");
  Hash b = hashLeaf("b");
  EXPECT_TRUE(verifyConsistency(0, 0, a, a, {}));
  EXPECT_FALSE(verifyConsistency(0, 0, a, b, {}));
  EXPECT_TRUE(verifyConsistency(0, 1, a, b, {}));
  EXPECT_TRUE(verifyConsistency(1, 1, b, b, {}));
  EXPECT_FALSE(verifyConsistency(1, 1, a, b, {}));
  EXPECT_FALSE(verifyConsistency(2, 1, a, b, {}));
  EXPECT_FALSE(verifyConsistency(1, 2, a, b, {}));
  std::vector<Hash> junk{emptyTreeHash()};
  EXPECT_FALSE(verifyConsistency(0, 1, emptyTreeHash(), emptyTreeHash(), junk));
  EXPECT_FALSE(verifyConsistency(1, 1, emptyTreeHash(), emptyTreeHash(), junk));
}

TEST(MerkleTree, EveryProofOfALargerTreeVerifies) {
  MerkleTree tree;
  for (int i = 0; i < 37; ++i) {
    tree.appendLeaf("leaf " + std::to_string(i));
  }
  for (uint64_t n = 1; n <= tree.size(); ++n) {
    Hash root = tree.rootAt(n);
    for (uint64_t i = 0; i < n; ++i) {
      EXPECT_TRUE(verifyInclusion(i, n, tree.leafHash(i), *tree.inclusionProof(i, n), root));
    }
    for (uint64_t m = 0; m <= n; ++m) {
      EXPECT_TRUE(verifyConsistency(m, n, tree.rootAt(m), root, *tree.consistencyProof(m, n))) << m << "->" << n;
    }
  }
}

}  // namespace
}  // namespace medrtc::compliance
