// One HTTP request over libcurl, for the JSON APIs the connectors call (the Iceberg REST and
// Nessie catalogs). A transport failure is returned, not thrown, so each caller can name its
// source and endpoint in the error and decide whether to retry.
#pragma once

#include <string>
#include <vector>

namespace aishell {

struct HttpRequest {
  std::string method = "GET";  // GET, POST, PUT, DELETE, HEAD, ...
  std::string url;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;                  // sent when not empty or when the method is POST
  long connect_timeout_ms = 10000;
  long timeout_ms = 120000;
  bool accept_compressed = false;  // Accept-Encoding: every encoding libcurl decodes
};

struct HttpResponse {
  long status = 0;  // 0 when the request never got an answer
  std::string body;
  std::string transport_error;  // libcurl's message when the request failed; else empty
};

HttpResponse SendHttpRequest(const HttpRequest& request);

}  // namespace aishell
