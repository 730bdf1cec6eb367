// The ceiling for bench/bench_elasticsearch.py: a raw point-in-time + search_after loop over
// libcurl and simdjson (on-demand), the least a client can do to read an index's documents.
// Reads two fields of `_source` (a long and a keyword) in pages of `page` hits sorted by
// _shard_doc, on `slices` threads (one sliced read each, as aishell's splits), keeping one
// connection alive per thread (gzip only with ES_GZIP set: aishell asks for it off loopback only).
// Prints "<hits> <sum> <chars>".
//
// Build:
//   g++ -O2 -std=c++20 es_scan_ceiling.cpp -o es_scan_ceiling \
//     $(pkg-config --cflags --libs libcurl simdjson) -lpthread
// Usage:
//   es_scan_ceiling <http(s)://host:port> <index> <slices> <page> <long field> <keyword field>
// Environment: ES_USER, ES_PASSWORD and ES_CA for a server with security on.
#include <curl/curl.h>
#include <simdjson.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

static size_t Collect(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

static std::string Post(CURL* h, const std::string& url, const std::string& body) {
  std::string out;
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(h, CURLOPT_POSTFIELDS, body.c_str());
  curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  if (getenv("ES_GZIP")) curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, Collect);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &out);
  // HTTPS with basic auth, as the test server runs (ES_USER, ES_PASSWORD, ES_CA).
  if (getenv("ES_USER")) {
    curl_easy_setopt(h, CURLOPT_USERNAME, getenv("ES_USER"));
    curl_easy_setopt(h, CURLOPT_PASSWORD, getenv("ES_PASSWORD") ? getenv("ES_PASSWORD") : "");
  }
  if (getenv("ES_CA")) curl_easy_setopt(h, CURLOPT_CAINFO, getenv("ES_CA"));
  CURLcode rc = curl_easy_perform(h);
  curl_slist_free_all(headers);
  if (rc != CURLE_OK) {
    fprintf(stderr, "curl: %s\n", curl_easy_strerror(rc));
    exit(1);
  }
  out.reserve(out.size() + simdjson::SIMDJSON_PADDING);
  return out;
}

int main(int argc, char** argv) {
  if (argc != 7) {
    fprintf(stderr, "usage: %s base index slices page long_field keyword_field\n", argv[0]);
    return 2;
  }
  std::string base = argv[1], index = argv[2], long_field = argv[5], kw_field = argv[6];
  int slices = atoi(argv[3]), page = atoi(argv[4]);
  curl_global_init(CURL_GLOBAL_DEFAULT);
  CURL* h0 = curl_easy_init();
  std::string pit_body = Post(h0, base + "/" + index + "/_pit?keep_alive=1m", "");
  simdjson::ondemand::parser p0;
  simdjson::padded_string_view v0(pit_body.data(), pit_body.size(), pit_body.capacity());
  auto d0 = p0.iterate(v0);
  std::string pit(std::string_view(d0["id"].get_string()));
  std::atomic<long long> hits{0}, sum{0}, chars{0};
  std::vector<std::thread> threads;
  for (int s = 0; s < slices; s++) {
    threads.emplace_back([&, s] {
      CURL* h = curl_easy_init();
      simdjson::ondemand::parser parser;
      std::string after, pit_id = pit;
      long long my_hits = 0, my_sum = 0, my_chars = 0;
      for (;;) {
        std::string body = "{\"size\":" + std::to_string(page) + ",\"_source\":{\"includes\":[\"" +
                           long_field + "\",\"" + kw_field + "\"]},\"pit\":{\"id\":\"" + pit_id +
                           "\",\"keep_alive\":\"1m\"},\"sort\":[\"_shard_doc\"],"
                           "\"track_total_hits\":false";
        if (slices > 1)
          body += ",\"slice\":{\"id\":" + std::to_string(s) + ",\"max\":" + std::to_string(slices) +
                  "}";
        if (!after.empty()) body += ",\"search_after\":" + after;
        body += "}";
        std::string resp = Post(h, base + "/_search", body);
        simdjson::padded_string_view view(resp.data(), resp.size(), resp.capacity());
        auto doc = parser.iterate(view);
        size_t n = 0;
        for (auto field : doc.get_object()) {
          std::string_view key = field.unescaped_key();
          if (key == "pit_id") {
            pit_id = std::string(std::string_view(field.value().get_string()));
          } else if (key == "hits") {
            for (auto hf : field.value().get_object()) {
              if (std::string_view(hf.unescaped_key()) != "hits") continue;
              for (auto hit : hf.value().get_array()) {
                for (auto f : hit.get_object()) {
                  std::string_view k = f.unescaped_key();
                  if (k == "_source") {
                    for (auto sf : f.value().get_object()) {
                      std::string_view sk = sf.unescaped_key();
                      if (sk == long_field) my_sum += int64_t(sf.value().get_int64());
                      if (sk == kw_field)
                        my_chars += std::string_view(sf.value().get_string()).size();
                    }
                  } else if (k == "sort") {
                    simdjson::ondemand::array arr = f.value().get_array();
                    after = std::string(std::string_view(arr.raw_json()));
                  }
                }
                n++;
              }
            }
          }
        }
        my_hits += static_cast<long long>(n);
        if (n < static_cast<size_t>(page)) break;
      }
      hits += my_hits;
      sum += my_sum;
      chars += my_chars;
      curl_easy_cleanup(h);
    });
  }
  for (auto& t : threads) t.join();
  std::string del = "{\"id\":\"" + pit + "\"}";
  curl_easy_setopt(h0, CURLOPT_CUSTOMREQUEST, "DELETE");
  Post(h0, base + "/_pit", del);
  printf("%lld %lld %lld\n", hits.load(), sum.load(), chars.load());
  return 0;
}
