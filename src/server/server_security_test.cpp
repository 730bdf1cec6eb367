#include "server/server_security.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "common/exception.h"

namespace aishell {
namespace {

TEST(ServerSecurityTest, PasswordFileChecksHashes) {
  std::string path = ::testing::TempDir() + "/aishell_users.txt";
  {
    std::ofstream out(path);
    out << "# users\n" << PasswordFile::HashLine("alice", "secret", 1000) << "\n";
  }
  auto file = PasswordFile::Load(path);
  EXPECT_TRUE(file.Check("alice", "secret"));
  EXPECT_FALSE(file.Check("alice", "Secret"));
  EXPECT_FALSE(file.Check("bob", "secret"));
  {
    std::ofstream out(path);
    out << "alice:notanumber:00:00\n";
  }
  try {
    PasswordFile::Load(path);
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("line 1"), std::string::npos);
  }
  std::remove(path.c_str());
}

TEST(ServerSecurityTest, AclListsConnectionsPerUser) {
  auto acl = ConnectionAcl::Parse(
      "users:\n  alice: [crm, Lake]\n  bob:\n    - lake\n  root: ['*']\ndefault: []\n", "acl");
  EXPECT_TRUE(acl.Allows("alice", "lake"));
  EXPECT_TRUE(acl.Allows("alice", "CRM"));
  EXPECT_FALSE(acl.Allows("bob", "crm"));
  EXPECT_TRUE(acl.Allows("root", "anything"));
  EXPECT_FALSE(acl.Allows("eve", "lake"));
  EXPECT_THROW(ConnectionAcl::Parse("groups:\n  a: [x]\n", "acl.yaml"), Error);
  EXPECT_EQ(DecodeBase64("YWxpY2U6c2VjcmV0"), "alice:secret");
}

}  // namespace
}  // namespace aishell
