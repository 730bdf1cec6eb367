// The engine the SQL fuzz targets bind and run statements on: one per process, with a few views
// over VALUES (the shapes test/sql uses: people, orders, a, b, t) and no way to reach a file or a
// server (every table function is replaced by one that refuses; no source is connected).
#pragma once
#include <memory>
#include <string>

#include "catalog/catalog_registry.h"
#include "engine/engine.h"

namespace aishell::fuzz {

inline Engine& FuzzEngine(int64_t max_memory = int64_t{1} << 30) {
  static Engine* engine = [max_memory] {
    EngineOptions options;
    options.threads = 1;
    options.max_memory = max_memory;
    auto* e = new Engine(options);
    for (const auto& name : TableFunctionRegistry::Names()) {
      TableFunctionRegistry::Register(
          name,
          [name](const std::vector<Value>&,
                 const std::map<std::string, Value>&) -> BoundTableFunction {
            throw Error(ErrorKind::kUnsupported, name + ": no files while fuzzing");
          });
    }
    const char* const kViews[] = {
        "CREATE VIEW people AS SELECT * FROM (VALUES (1, 'Alice', 30, 'Paris', DATE '2024-01-05'),"
        " (2, 'Bob', NULL, 'Berlin', DATE '2024-02-10'), (3, 'Carol', 41, NULL, NULL),"
        " (4, NULL, 25, 'Paris', DATE '2023-12-31')) AS t (id, name, age, city, signup_date)",
        "CREATE VIEW orders AS SELECT * FROM (VALUES (100, 1, 12.5, 'shipped'),"
        " (101, 1, 7.25, 'pending'), (102, 2, NULL, 'shipped'), (103, 5, 99.0, NULL))"
        " AS t (order_id, person_id, amount, status)",
        "CREATE VIEW a AS SELECT * FROM (VALUES (1, 'a1'), (NULL, 'anull'), (2, 'a2')) AS t (k, v)",
        "CREATE VIEW b AS SELECT * FROM (VALUES (1, 'b1'), (NULL, 'bnull'), (3, 'b3')) AS t (k, w)",
        "CREATE VIEW t AS SELECT * FROM (VALUES (1, 2.5, 'x', TRUE, ARRAY[1, 2],"
        " CAST(ROW(1, 'a') AS ROW(f INTEGER, g VARCHAR)), MAP(ARRAY['k'], ARRAY[1])),"
        " (NULL, NULL, NULL, NULL, NULL, NULL, NULL)) AS t (i, d, s, bo, arr, r, m)",
    };
    for (const char* sql : kViews) {
      try {
        e->Execute(sql);
      } catch (const Error& err) {
        std::fprintf(stderr, "fuzz setup: %s: %s\n", sql, err.what());
      }
    }
    return e;
  }();
  return *engine;
}

}  // namespace aishell::fuzz
