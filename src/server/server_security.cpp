#include "server/server_security.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <fstream>
#include <sstream>

#include "common/exception.h"
#include "common/strings.h"

namespace aishell {

namespace {

std::string Hex(const std::string& bytes) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

std::optional<std::string> Unhex(const std::string& hex) {
  if (hex.size() % 2) return std::nullopt;
  std::string out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    int v = 0;
    for (int k = 0; k < 2; k++) {
      char c = hex[i + k];
      int d = c >= '0' && c <= '9'   ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                     : -1;
      if (d < 0) return std::nullopt;
      v = v * 16 + d;
    }
    out += static_cast<char>(v);
  }
  return out;
}

std::string Pbkdf2(const std::string& password, const std::string& salt, int iterations,
                   size_t bytes) {
  std::string out(bytes, '\0');
  PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                    reinterpret_cast<const unsigned char*>(salt.data()),
                    static_cast<int>(salt.size()), iterations, EVP_sha256(),
                    static_cast<int>(bytes), reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

std::string ReadAll(const std::string& path, const char* what) {
  std::ifstream in(path);
  if (!in) throw Error(ErrorKind::kIo, std::string("cannot read the ") + what + " " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string StripComment(const std::string& line) {
  auto hash = line.find('#');
  return hash == std::string::npos ? line : line.substr(0, hash);
}

std::vector<std::string> FlowList(const std::string& text, const std::string& where) {
  std::string t = TrimSpace(text);
  if (t.size() < 2 || t.front() != '[' || t.back() != ']')
    throw Error(ErrorKind::kIo, where + ": expected a list like [crm, lake]");
  std::vector<std::string> out;
  std::stringstream ss(t.substr(1, t.size() - 2));
  std::string item;
  while (std::getline(ss, item, ',')) {
    item = TrimSpace(item);
    if (item.size() >= 2 && (item.front() == '"' || item.front() == '\''))
      item = item.substr(1, item.size() - 2);
    if (!item.empty()) out.push_back(AsciiLower(item));
  }
  return out;
}

}  // namespace

PasswordFile PasswordFile::Load(const std::string& path) {
  PasswordFile file;
  std::stringstream ss(ReadAll(path, "users file"));
  std::string line;
  int number = 0;
  while (std::getline(ss, line)) {
    number++;
    line = TrimSpace(line);
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> parts;
    std::stringstream ls(line);
    std::string part;
    while (std::getline(ls, part, ':')) parts.push_back(part);
    std::string where = path + " line " + std::to_string(number);
    if (parts.size() != 4)
      throw Error(ErrorKind::kIo, where + ": expected user:iterations:salt_hex:hash_hex");
    Entry e;
    try {
      e.iterations = std::stoi(parts[1]);
    } catch (...) {
      e.iterations = 0;
    }
    auto salt = Unhex(parts[2]);
    auto hash = Unhex(parts[3]);
    if (e.iterations <= 0 || !salt || !hash || hash->empty())
      throw Error(ErrorKind::kIo, where + ": bad iterations, salt or hash for user " + parts[0]);
    e.salt = *salt;
    e.hash = *hash;
    file.users_[parts[0]] = e;
  }
  return file;
}

bool PasswordFile::Check(const std::string& user, const std::string& password) const {
  auto it = users_.find(user);
  if (it == users_.end()) return false;
  const Entry& e = it->second;
  std::string got = Pbkdf2(password, e.salt, e.iterations, e.hash.size());
  return CRYPTO_memcmp(got.data(), e.hash.data(), got.size()) == 0;
}

std::string PasswordFile::HashLine(const std::string& user, const std::string& password,
                                   int iterations) {
  std::string salt(16, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(salt.data()), static_cast<int>(salt.size()));
  return user + ":" + std::to_string(iterations) + ":" + Hex(salt) + ":" +
         Hex(Pbkdf2(password, salt, iterations, 32));
}

ConnectionAcl ConnectionAcl::Load(const std::string& path) {
  return Parse(ReadAll(path, "ACL file"), path);
}

ConnectionAcl ConnectionAcl::Parse(const std::string& text, const std::string& source) {
  ConnectionAcl acl;
  std::stringstream ss(text);
  std::string raw;
  int number = 0;
  enum class Section { kNone, kUsers } section = Section::kNone;
  std::set<std::string>* block_list = nullptr;  // the list `- item` lines add to
  while (std::getline(ss, raw, '\n')) {
    number++;
    std::string where = source + " line " + std::to_string(number);
    std::string line = StripComment(raw);
    if (TrimSpace(line).empty()) continue;
    size_t indent = line.find_first_not_of(' ');
    std::string body = TrimSpace(line);
    if (body.rfind("- ", 0) == 0 || body == "-") {
      if (!block_list) throw Error(ErrorKind::kIo, where + ": a list item outside a list");
      std::string item = TrimSpace(body.substr(1));
      if (item.size() >= 2 && (item.front() == '"' || item.front() == '\''))
        item = item.substr(1, item.size() - 2);
      block_list->insert(AsciiLower(item));
      continue;
    }
    auto colon = body.find(':');
    if (colon == std::string::npos) throw Error(ErrorKind::kIo, where + ": expected `key: value`");
    std::string key = TrimSpace(body.substr(0, colon));
    if (key.size() >= 2 && (key.front() == '"' || key.front() == '\''))
      key = key.substr(1, key.size() - 2);
    std::string value = TrimSpace(body.substr(colon + 1));
    block_list = nullptr;
    if (indent == 0) {
      if (key == "users") {
        section = Section::kUsers;
        if (!value.empty()) throw Error(ErrorKind::kIo, where + ": `users:` takes a block");
      } else if (key == "default") {
        section = Section::kNone;
        if (value.empty()) {
          block_list = &acl.default_;
        } else {
          for (auto& c : FlowList(value, where)) acl.default_.insert(c);
        }
      } else {
        throw Error(ErrorKind::kIo, where + ": unknown key '" + key + "' (users, default)");
      }
      continue;
    }
    if (section != Section::kUsers)
      throw Error(ErrorKind::kIo, where + ": an indented entry outside `users:`");
    auto& list = acl.users_[key];
    if (value.empty()) {
      block_list = &list;
    } else {
      for (auto& c : FlowList(value, where)) list.insert(c);
    }
  }
  return acl;
}

bool ConnectionAcl::Allows(const std::string& user, const std::string& connection) const {
  auto it = users_.find(user);
  const std::set<std::string>& list = it == users_.end() ? default_ : it->second;
  return list.count("*") || list.count(AsciiLower(connection));
}

std::optional<std::string> DecodeBase64(const std::string& text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  int bits = 0;
  uint32_t acc = 0;
  for (char c : text) {
    if (c == '=') break;
    int v = value(c);
    if (v < 0) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return out;
}

}  // namespace aishell
