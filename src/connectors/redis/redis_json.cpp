#include "connectors/redis/redis_json.h"

#include <cstdint>

#include <fmt/format.h>

namespace aishell {

bool RedisJsonMembers(simdjson::dom::parser& parser, std::string_view text,
                      std::vector<std::pair<std::string, std::optional<std::string>>>* out,
                      std::vector<bool>* is_string, std::string* error) {
  out->clear();
  if (is_string) is_string->clear();
  simdjson::dom::element root;
  auto err = parser.parse(text.data(), text.size()).get(root);
  if (err) {
    *error = simdjson::error_message(err);
    return false;
  }
  simdjson::dom::object obj;
  if (root.get_object().get(obj)) {
    *error = "not a JSON object";
    return false;
  }
  for (auto field : obj) {
    std::optional<std::string> v;
    bool str = false;
    switch (field.value.type()) {
      case simdjson::dom::element_type::STRING:
        v = std::string(std::string_view(field.value.get_string().value()));
        str = true;
        break;
      case simdjson::dom::element_type::INT64:
        v = std::to_string(int64_t(field.value));
        break;
      case simdjson::dom::element_type::UINT64:
        v = std::to_string(uint64_t(field.value));
        break;
      case simdjson::dom::element_type::DOUBLE:
        v = fmt::format("{}", double(field.value));
        break;
      case simdjson::dom::element_type::BOOL:
        v = bool(field.value) ? "true" : "false";
        break;
      case simdjson::dom::element_type::NULL_VALUE:
        break;
      default:
        v = simdjson::minify(field.value);
        str = true;
        break;
    }
    out->emplace_back(std::string(field.key), std::move(v));
    if (is_string) is_string->push_back(str);
  }
  return true;
}

}  // namespace aishell
