#include "srtp/crypto_self_test.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace medrtc::srtp {
namespace {

TEST(SrtpCryptoSelfTest, PassesOnThisOpenSsl) {
  auto problem = srtpCryptoSelfTest();
  EXPECT_FALSE(problem) << *problem;
  EXPECT_EQ(builtinSrtpKnownAnswers().size(), 3u);  // CTR + HMAC-SHA1, GCM-128, GCM-256
}

// A primitive that computes something else (stood in for by a wrong expected answer)
// fails the check with a message naming it.
TEST(SrtpCryptoSelfTest, NamesTheAnswerThatDoesNotMatch) {
  std::vector<SrtpKnownAnswer> answers(builtinSrtpKnownAnswers().begin(), builtinSrtpKnownAnswers().end());
  std::string wrong(answers[1].protectedHex);
  wrong[30] = wrong[30] == '0' ? '1' : '0';
  answers[1].protectedHex = wrong;
  auto problem = runSrtpKnownAnswers(answers);
  ASSERT_TRUE(problem);
  EXPECT_NE(problem->find("AES-128-GCM"), std::string::npos) << *problem;
}

TEST(SrtpCryptoSelfTest, NamesAnAnswerThatCannotBeSetUp) {
  std::vector<SrtpKnownAnswer> answers(builtinSrtpKnownAnswers().begin(), builtinSrtpKnownAnswers().end());
  answers[2].keyHex = "0001";  // a key the profile cannot take
  auto problem = runSrtpKnownAnswers(answers);
  ASSERT_TRUE(problem);
  EXPECT_NE(problem->find("cannot set up AES-256-GCM"), std::string::npos) << *problem;
}

}  // namespace
}  // namespace medrtc::srtp
