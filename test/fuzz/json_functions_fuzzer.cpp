// The JSON function family (src/functions/json_functions.cpp) and the canonical JSON text every
// JSON value is kept in (src/common/json_text.h): the input is a JSON path, a newline, then a
// document (no newline: the whole input is the document and the path is "$"). Each function is
// bound through the registry and run on the text as VARCHAR and, when it is valid JSON, as JSON.
// Bad documents and paths must give NULL or an Error, never crash; canonical text must be a fixed
// point (canonicalizing it again changes nothing).
#include <string>
#include <vector>

#include "common/json_text.h"
#include "common/value.h"
#include "common/vector.h"
#include "functions/cast.h"
#include "functions/function_registry.h"
#include "fuzz_util.h"

namespace {

using aishell::LogicalType;
using aishell::TypeId;
using aishell::Value;
using aishell::Vector;

// name(values...) through the registry, arguments cast as the binder casts them; a value string
// (or "" when the function does not bind to these types).
std::string Call(const std::string& name, const std::vector<Value>& values) {
  std::vector<LogicalType> types;
  for (const auto& v : values) types.push_back(v.type());
  std::vector<LogicalType> coerced;
  auto fn = aishell::FunctionRegistry::Get().BindScalar(name, types, &coerced);
  if (!fn) return "";
  std::vector<Vector> args;
  for (size_t i = 0; i < values.size(); i++) {
    Vector v(values[i].type(), 1);
    v.Resize(1);
    v.SetValue(0, values[i]);
    args.push_back(aishell::CastVector(v, coerced[i], false));
  }
  Vector out(fn->return_type, 1);
  out.Resize(1);
  fn->kernel(args, 1, out);
  return out.GetValue(0).ToString();
}

void Try(const std::string& name, const std::vector<Value>& values) {
  try {
    (void)Call(name, values);
  } catch (const aishell::Error& e) {
    aishell::fuzz::CheckError(e);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in = aishell::fuzz::AsText(data, size);
  std::string path = "$";
  size_t newline = in.find('\n');
  if (newline != std::string_view::npos) {
    path = std::string(in.substr(0, newline));
    in.remove_prefix(newline + 1);
  }
  const std::string text(in);
  const Value doc = Value::Varchar(text);
  const Value p = Value::Varchar(path);

  auto canonical = aishell::CanonicalJson(text);
  if (canonical) {
    auto again = aishell::CanonicalJson(*canonical);
    if (!again) aishell::fuzz::Fail("canonical JSON does not parse: " + *canonical);
    if (*again != *canonical)
      aishell::fuzz::Fail("canonical JSON is not a fixed point: " + *canonical + " vs " + *again);
  }
  std::vector<Value> docs = {doc};
  if (canonical) docs.push_back(Value::Json(*canonical));
  for (const auto& d : docs) {
    Try("json_extract", {d, p});
    Try("json_extract_scalar", {d, p});
    Try("json_size", {d, p});
    Try("json_array_length", {d});
    Try("is_json_scalar", {d});
  }
  Try("json_parse", {doc});
  if (canonical) Try("json_format", {Value::Json(*canonical)});
  Try("from_utf8", {Value::Varbinary(text)});
  Try("from_hex", {doc});
  Try("to_hex", {Value::Varbinary(text)});
  Try("typeof", {doc});
  try {
    Vector v(LogicalType(TypeId::kVarchar), 1);
    v.Resize(1);
    v.SetValue(0, doc);
    (void)aishell::CastVector(v, LogicalType(TypeId::kJson), true).GetValue(0).ToString();
  } catch (const aishell::Error& e) {
    aishell::fuzz::CheckError(e);
  }
  std::string quoted;
  aishell::AppendJsonString(text, &quoted);
  if (!aishell::CanonicalJson(quoted)) aishell::fuzz::Fail("AppendJsonString made invalid JSON");
  return 0;
}
