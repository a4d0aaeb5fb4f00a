// C2SP signed notes against the known answers of the reference implementation
// (golang.org/x/mod/sumdb/note documentation example) and the C2SP spec's example.
// Ed25519 (RFC 8032) is deterministic, so signing must reproduce the published note.
#include <gtest/gtest.h>

#include "compliance/signed_note.hpp"

namespace medrtc::compliance {
namespace {

const char* kGoSigner = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
const char* kGoVerifier = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const char* kGoText =
    "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const char* kGoSigLine =
    "\xE2\x80\x94 PeterNeumann "
    "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

TEST(SignedNote, SigningReproducesTheReferenceNote) {
  auto signer = NoteSigner::fromPrivateKey(kGoSigner);
  ASSERT_TRUE(signer) << signer.error();
  EXPECT_EQ(signer->verifier().verifierKey(), kGoVerifier);
  EXPECT_EQ(signer->privateKey(), kGoSigner);
  EXPECT_EQ(signer->sign(kGoText), std::string(kGoText) + "\n" + kGoSigLine);
}

TEST(SignedNote, OpensTheReferenceNote) {
  auto verifier = NoteVerifier::fromVerifierKey(kGoVerifier);
  ASSERT_TRUE(verifier) << verifier.error();
  EXPECT_EQ(verifier->keyHash(), 0xc74f20a3u);
  auto text = openNote(std::string(kGoText) + "\n" + kGoSigLine, *verifier);
  ASSERT_TRUE(text);
  EXPECT_EQ(text.value(), kGoText);
}

TEST(SignedNote, OpensTheC2spSpecExample) {
  auto verifier = NoteVerifier::fromVerifierKey("example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k");
  ASSERT_TRUE(verifier) << verifier.error();
  std::string note =
      "This is an example message.\n\n\xE2\x80\x94 example.com/foo "
      "Uw2QOkn8srV1yJGh2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM=\n";
  auto text = openNote(note, *verifier);
  ASSERT_TRUE(text);
  EXPECT_EQ(text.value(), "This is an example message.\n");
}

TEST(SignedNote, RejectsEditedTextWrongKeyAndMalformedNotes) {
  auto verifier = NoteVerifier::fromVerifierKey(kGoVerifier);
  std::string note = std::string(kGoText) + "\n" + kGoSigLine;
  std::string edited = note;
  edited[3] ^= 1;
  ASSERT_FALSE(openNote(edited, *verifier));
  EXPECT_EQ(openNote(edited, *verifier).error(), NoteError::BadSignature);

  auto other = NoteSigner::generate("PeterNeumann");
  ASSERT_TRUE(other);
  EXPECT_EQ(openNote(other->sign(kGoText), *verifier).error(), NoteError::UnknownKey);
  EXPECT_EQ(openNote(kGoText, *verifier).error(), NoteError::Malformed);
  EXPECT_EQ(openNote(note.substr(0, note.size() - 1), *verifier).error(), NoteError::Malformed);
}

TEST(SignedNote, RejectsMangledKeys) {
  EXPECT_FALSE(NoteVerifier::fromVerifierKey("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"));
  EXPECT_FALSE(NoteVerifier::fromVerifierKey("PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"));
  EXPECT_FALSE(NoteVerifier::fromVerifierKey("PeterNeumann+c74f20a3"));
  EXPECT_FALSE(NoteSigner::fromPrivateKey("PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDF"));
  EXPECT_FALSE(NoteSigner::generate("bad name"));
}

TEST(SignedNote, CheckpointBodyRoundTrips) {
  Checkpoint cp{"medrtc.local/audit", 42, {}};
  cp.root[0] = 0xab;
  std::string body = checkpointBody(cp);
  auto parsed = parseCheckpointBody(body);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->origin, cp.origin);
  EXPECT_EQ(parsed->size, 42u);
  EXPECT_EQ(parsed->root, cp.root);
  EXPECT_FALSE(parseCheckpointBody("o\n042\n" + toBase64(cp.root) + "\n"));
  EXPECT_FALSE(parseCheckpointBody("o\n42\nAAAA\n"));
}

}  // namespace
}  // namespace medrtc::compliance
