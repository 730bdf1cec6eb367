// `aishell connections`: seed 002's "Connected Databases" panel (engine and version, tables or
// collections or indices or key patterns, their sizes with estimates marked, Redis TTL facts and
// the federation status line), and the same as JSON.
#pragma once

#include <string>
#include <vector>

#include "engine/engine.h"

namespace aishell {

// "3,214" for an exact count; "~3.2M" for an estimate.
std::string FormatRowCount(int64_t rows, bool estimated);

std::string RenderConnectionsPanel(const std::vector<ConnectionConfig>& configs,
                                   const std::vector<ConnectionStatus>& statuses);
// A JSON array: one object per source (name, type, url, properties, then with statuses: status,
// summary, engine, version, object_kind, objects [{schema, name, rows, estimated}], facts, ...).
std::string ConnectionsJson(const std::vector<ConnectionConfig>& configs,
                            const std::vector<ConnectionStatus>* statuses);

}  // namespace aishell
