// WHERE conjuncts as MongoDB query documents (find's filter, aggregate's $match), only where
// MongoDB's answer is SQL's: comparisons, IN, IS [NOT] NULL, LIKE as an anchored $regex, AND, OR
// and NOT over fields whose sampled values all have one BSON type class (MongoDB compares values
// of different types by type bracket, which SQL never does), with literals appended as BSON values.
#pragma once

#include <bson/bson.h>

#include <string>

#include "connectors/mongodb/mongodb_client.h"
#include "connectors/mongodb/mongodb_schema.h"
#include "expr/expression.h"

namespace aishell {

class MongoFilterBuilder {
 public:
  // `ferretdb`: the server is FerretDB, which drops the connection on a Decimal128 literal.
  MongoFilterBuilder(const MongoTable& table, bool ferretdb) : table_(table), ferretdb_(ferretdb) {}

  // The query document for `conjunct`, or nullptr when it cannot be pushed exactly.
  BsonPtr Translate(const Expr& conjunct) const;

  // The field path a column or ROW field access names ("address.city"), with the BSON kinds
  // seen there and its SQL type; false for anything else.
  bool FieldPath(const Expr& e, std::string* path, BsonKindSet* kinds) const;

 private:
  BsonPtr Build(const Expr& e, bool negate) const;
  BsonPtr Comparison(const Expr& e, bool negate) const;
  BsonPtr In(const Expr& e, bool negate) const;
  BsonPtr Like(const Expr& e, bool negate) const;
  // Whether values of this SQL type compare in MongoDB as in SQL, given the kinds seen.
  bool Comparable(const LogicalType& type, BsonKindSet kinds) const;
  // `value` appended as the BSON literal for a field of `kinds`; false if it has no exact form.
  bool AppendLiteral(bson_t* doc, const char* key, const Value& value, BsonKindSet kinds) const;

  const MongoTable& table_;
  bool ferretdb_;
};

// A SQL LIKE pattern as an anchored regular expression, or false when the escape is invalid.
bool LikeToRegex(const std::string& pattern, int escape, std::string* regex);

}  // namespace aishell
