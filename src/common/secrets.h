// Keeping passwords out of what aishell prints: URLs shown to the user, and error texts of the
// clients the connectors use (libpq messages, conninfo strings, URLs echoed back). Every layer that
// handles a connection URL uses these; nothing else writes its own redaction.
#pragma once

#include <cstddef>
#include <string>

namespace aishell {

// "postgres://user:secret@host/db" -> "postgres://user:***@host/db"; also masks password=...
// parameters (and pass=, pwd=, secret=, secret-access-key=, secret_access_key=).
std::string RedactUrl(const std::string& url);

// The same over a whole text: every URL's user:password@ and every password=... value (quoted
// conninfo values such as password='a b' too) become ***.
std::string RedactText(const std::string& text);

// The password a URL or conninfo string carries: user:pw@ in the authority, else the value of
// password=; "" when it has none.
std::string PasswordOf(const std::string& url);

// Removes the password of `url` from a message a client produced (libpq may echo the connection
// string): each copy of `url` becomes RedactUrl(url), then each copy of the password (and of its
// percent-decoded form) becomes ***, when it is at least `min_length` characters long; last, any
// other password the text shows (RedactText).
std::string ScrubPassword(const std::string& message, const std::string& url,
                          size_t min_length = 1);

}  // namespace aishell
