#include "daemon/oauth/pkce.h"

#include <gtest/gtest.h>

#include <string>

namespace bqb::oauth {
namespace {

// RFC 7636 Appendix B.
TEST(Pkce, ChallengeMatchesRfc7636AppendixB) {
  EXPECT_EQ(pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk").value(),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

TEST(Pkce, VerifierRules) {
  EXPECT_TRUE(valid_pkce_verifier(std::string(43, 'a')));
  EXPECT_TRUE(valid_pkce_verifier(std::string(128, '~')));
  EXPECT_TRUE(valid_pkce_verifier("ABCxyz019-._~ABCxyz019-._~ABCxyz019-._~ABCxy"));
  EXPECT_FALSE(valid_pkce_verifier(std::string(42, 'a')));
  EXPECT_FALSE(valid_pkce_verifier(std::string(129, 'a')));
  EXPECT_FALSE(valid_pkce_verifier(""));
  EXPECT_FALSE(valid_pkce_verifier(std::string(42, 'a') + "+"));
  EXPECT_FALSE(valid_pkce_verifier(std::string(42, 'a') + "/"));
  EXPECT_FALSE(valid_pkce_verifier(std::string(42, 'a') + " "));
  EXPECT_FALSE(valid_pkce_verifier(std::string(42, 'a') + "="));
}

TEST(Pkce, InvalidVerifierIsAnErrorThatDoesNotQuoteIt) {
  std::string verifier = std::string(50, 'v') + "!";
  auto r = pkce_challenge(verifier);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, Errc::bad_request);
  EXPECT_EQ(r.error().message.find("vvvv"), std::string::npos);
}

TEST(Pkce, MakeGivesA64CharacterVerifierAndItsChallenge) {
  auto p = make_pkce();
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->verifier.reveal().size(), 64u);
  EXPECT_TRUE(valid_pkce_verifier(p->verifier.reveal()));
  EXPECT_EQ(p->challenge, pkce_challenge(p->verifier.reveal()).value());
  EXPECT_EQ(p->challenge.size(), 43u);  // 32-byte digest, unpadded
  EXPECT_NE(make_pkce()->verifier, p->verifier);
}

}  // namespace
}  // namespace bqb::oauth
