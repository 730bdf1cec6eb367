#include "common/secrets.h"

#include <cctype>
#include <cstring>

#include "common/url.h"

namespace aishell {

namespace {

// The password of the authority that starts at `start` (just after "://") and ends at one of
// `ends`: user:password@host. False when it has none; `*pos`, `*len` its place otherwise (`*len`
// may be 0: "user:@host").
bool FindAuthorityPassword(const std::string& s, size_t start, const char* ends, size_t* pos,
                           size_t* len) {
  size_t end = s.find_first_of(ends, start);
  if (end == std::string::npos) end = s.size();
  size_t at = s.rfind('@', end);
  if (at == std::string::npos || at < start) return false;
  size_t colon = s.find(':', start);
  if (colon == std::string::npos || colon >= at) return false;
  *pos = colon + 1;
  *len = at - colon - 1;
  return true;
}

void MaskAuthority(std::string& out, size_t start, const char* ends) {
  size_t pos, len;
  if (FindAuthorityPassword(out, start, ends, &pos, &len)) out.replace(pos, len, "***");
}

// Masks the values of password=... style parameters (URL query or conninfo keywords); an unquoted
// value ends at one of `ends`.
void MaskKeywords(std::string& out, const char* ends) {
  for (const char* key :
       {"password=", "pass=", "pwd=", "secret=", "secret-access-key=", "secret_access_key="}) {
    std::string k(key);
    size_t pos = 0;
    while ((pos = out.find(k, pos)) != std::string::npos) {
      size_t vstart = pos + k.size();
      size_t vend;
      if (vstart < out.size() && out[vstart] == '\'') {
        // A quoted conninfo value: up to the closing quote (\' and \\ are escapes).
        vend = vstart + 1;
        while (vend < out.size() && out[vend] != '\'') vend += out[vend] == '\\' ? 2 : 1;
        vend = vend < out.size() ? vend + 1 : out.size();
      } else {
        vend = out.find_first_of(ends, vstart);
        if (vend == std::string::npos) vend = out.size();
      }
      out.replace(vstart, vend - vstart, "***");
      pos = vstart + 3;
    }
  }
}

void ReplaceAll(std::string& text, const std::string& from, const std::string& to) {
  if (from.empty() || from == to) return;
  for (size_t pos = text.find(from); pos != std::string::npos;
       pos = text.find(from, pos + to.size()))
    text.replace(pos, from.size(), to);
}

}  // namespace

std::string RedactUrl(const std::string& url) {
  std::string out = url;
  size_t scheme = out.find("://");
  if (scheme != std::string::npos) {
    MaskAuthority(out, scheme + 3, "/?#");
  } else if (out.find("password=") == std::string::npos) {
    // A mistyped URL (no "://") with a user:password@ pair (see PasswordOf).
    std::string pw = PasswordOf(out);
    if (!pw.empty()) ReplaceAll(out, pw, "***");
  }
  MaskKeywords(out, "& ;");
  return out;
}

std::string RedactText(const std::string& text) {
  std::string out = text;
  for (size_t scheme = out.find("://"); scheme != std::string::npos;
       scheme = out.find("://", scheme + 3))
    MaskAuthority(out, scheme + 3, "/?# \"'\n\t");
  MaskKeywords(out, "& ;\"\n\t");
  return out;
}

std::string PasswordOf(const std::string& url) {
  size_t scheme = url.find("://");
  size_t pos, len;
  if (scheme != std::string::npos && FindAuthorityPassword(url, scheme + 3, "/?#", &pos, &len) &&
      len > 0)
    return url.substr(pos, len);
  size_t p = url.find("password=");
  if (p == std::string::npos) {
    // A mistyped URL without "://" (mongodb:/db?user:pw@host, user:pw@host) may still carry a
    // user:password@ pair: the text between the last ':' before an '@' and the '@', when no '/'
    // lies between them and a plain user name comes before the ':'.
    if (scheme != std::string::npos) return "";
    size_t at = url.find('@');
    if (at == std::string::npos) return "";
    size_t colon = url.rfind(':', at);
    if (colon == std::string::npos || colon + 1 >= at) return "";
    if (url.find('/', colon) < at) return "";
    size_t user_start = colon;
    while (user_start > 0 && (std::isalnum(static_cast<unsigned char>(url[user_start - 1])) ||
                              std::strchr("._%-", url[user_start - 1]) != nullptr))
      user_start--;
    if (user_start == colon) return "";
    return url.substr(colon + 1, at - colon - 1);
  }
  size_t start = p + 9;
  if (start < url.size() && url[start] == '\'') {
    std::string value;
    for (size_t i = start + 1; i < url.size() && url[i] != '\''; i++) {
      if (url[i] == '\\' && i + 1 < url.size()) i++;
      value += url[i];
    }
    return value;
  }
  size_t end = url.find_first_of("& ", start);
  return url.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

std::string ScrubPassword(const std::string& message, const std::string& url, size_t min_length) {
  std::string out = message;
  if (!url.empty()) ReplaceAll(out, url, RedactUrl(url));
  std::string pw = PasswordOf(url);
  if (!pw.empty() && pw.size() >= min_length) {
    ReplaceAll(out, pw, "***");
    std::string decoded = PercentDecode(pw);
    if (decoded.size() >= min_length) ReplaceAll(out, decoded, "***");
  }
  return RedactText(out);
}

}  // namespace aishell
