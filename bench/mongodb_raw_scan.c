/* The ceiling of a MongoDB full scan (bench/bench_mongodb.py): one find({}) cursor over the
 * collection with the MongoDB C driver, every field of every document visited with bson_iter (as
 * a client that uses the values must), nothing else. Prints the documents read and a checksum.
 * Usage: mongodb_raw_scan <url> <database> <collection> */
#include <mongoc/mongoc.h>
#include <stdio.h>

static int64_t visit(bson_iter_t *it) {
  int64_t sum = 0;
  while (bson_iter_next(it)) {
    sum += bson_iter_key_len(it);
    switch (bson_iter_type(it)) {
      case BSON_TYPE_INT32: sum += bson_iter_int32(it); break;
      case BSON_TYPE_INT64: sum += bson_iter_int64(it); break;
      case BSON_TYPE_DOUBLE: sum += (int64_t)bson_iter_double(it); break;
      case BSON_TYPE_UTF8: { uint32_t n; bson_iter_utf8(it, &n); sum += n; break; }
      case BSON_TYPE_DATE_TIME: sum += bson_iter_date_time(it) & 0xff; break;
      case BSON_TYPE_DOCUMENT:
      case BSON_TYPE_ARRAY: { bson_iter_t child; if (bson_iter_recurse(it, &child)) sum += visit(&child); break; }
      default: break;
    }
  }
  return sum;
}

int main(int argc, char **argv) {
  if (argc != 4) { fprintf(stderr, "usage: %s url database collection\n", argv[0]); return 2; }
  mongoc_init();
  bson_error_t error;
  mongoc_uri_t *uri = mongoc_uri_new_with_error(argv[1], &error);
  if (!uri) { fprintf(stderr, "%s\n", error.message); return 1; }
  mongoc_client_t *client = mongoc_client_new_from_uri(uri);
  mongoc_collection_t *coll = mongoc_client_get_collection(client, argv[2], argv[3]);
  bson_t filter = BSON_INITIALIZER;
  mongoc_cursor_t *cursor = mongoc_collection_find_with_opts(coll, &filter, NULL, NULL);
  const bson_t *doc;
  int64_t n = 0, sum = 0;
  while (mongoc_cursor_next(cursor, &doc)) {
    bson_iter_t it;
    if (bson_iter_init(&it, doc)) sum += visit(&it);
    n++;
  }
  int failed = mongoc_cursor_error(cursor, &error);
  if (failed) fprintf(stderr, "%s\n", error.message);
  printf("%lld %lld\n", (long long)n, (long long)sum);
  mongoc_cursor_destroy(cursor);
  mongoc_collection_destroy(coll);
  mongoc_client_destroy(client);
  mongoc_uri_destroy(uri);
  mongoc_cleanup();
  return failed ? 1 : 0;
}
