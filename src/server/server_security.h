// `aishell serve` security: the hashed users file of `--auth password` and the per-user
// connection visibility of `--acl acl.yaml`.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace aishell {

// A users file: one `user:iterations:salt_hex:hash_hex` line per user (PBKDF2-HMAC-SHA256, the
// format of Trino's password file authenticator); blank lines and `#` comments are skipped.
class PasswordFile {
 public:
  // Throws Error(kIo) naming the file and line when it cannot be read or a line is malformed.
  static PasswordFile Load(const std::string& path);
  bool Check(const std::string& user, const std::string& password) const;
  // A line for `user` with a fresh random salt (for `aishell serve --hash-password`).
  static std::string HashLine(const std::string& user, const std::string& password,
                              int iterations = 100000);

 private:
  struct Entry {
    int iterations = 0;
    std::string salt;
    std::string hash;
  };
  std::map<std::string, Entry> users_;
};

// Which users see which connections:
//   users:
//     alice: [crm, lake]
//     bob:
//       - lake
//   default: []          # users not listed ("*" in a list: every connection)
class ConnectionAcl {
 public:
  // Throws Error(kIo) naming the file and line on a malformed file.
  static ConnectionAcl Load(const std::string& path);
  static ConnectionAcl Parse(const std::string& text, const std::string& source);
  bool Allows(const std::string& user, const std::string& connection) const;

 private:
  std::map<std::string, std::set<std::string>> users_;  // lower-case connection names
  std::set<std::string> default_;
};

// Standard base64 decoding; nullopt for invalid input.
std::optional<std::string> DecodeBase64(const std::string& text);

}  // namespace aishell
