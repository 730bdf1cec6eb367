// SigV4 against AWS's published examples: the S3 "single chunk" examples of the Authorization
// header (GET Object with Range, PUT Object, GET Bucket lifecycle, ListObjects) and the generic
// get-vanilla case of the Signature Version 4 test suite.
#include "storage/s3_signer.h"

#include <gtest/gtest.h>

namespace aishell::s3 {
namespace {

const char kEmptyHash[] = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const SigV4Credentials kS3Example{"AKIAIOSFODNN7EXAMPLE",
                                  "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
const char kDate[] = "20130524T000000Z";

SigV4Request S3Get(const std::string& uri) {
  SigV4Request r;
  r.method = "GET";
  r.canonical_uri = uri;
  r.headers["host"] = "examplebucket.s3.amazonaws.com";
  r.headers["x-amz-content-sha256"] = kEmptyHash;
  r.headers["x-amz-date"] = kDate;
  r.payload_hash = kEmptyHash;
  return r;
}

TEST(S3SignerTest, GetObjectWithRange) {
  SigV4Request r = S3Get("/test.txt");
  r.headers["range"] = "bytes=0-9";
  EXPECT_EQ(CanonicalRequest(r),
            "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
            "x-amz-content-sha256:" +
                std::string(kEmptyHash) +
                "\nx-amz-date:20130524T000000Z\n\nhost;range;x-amz-content-sha256;x-amz-date\n" +
                kEmptyHash);
  EXPECT_EQ(StringToSign(r, kDate, "us-east-1", "s3"),
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
            "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
  EXPECT_EQ(AuthorizationHeader(r, kS3Example, kDate, "us-east-1", "s3"),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(S3SignerTest, PutObject) {
  std::string body = "Welcome to Amazon S3.";
  SigV4Request r;
  r.method = "PUT";
  r.canonical_uri = "/" + UriEncode("test$file.text", true);
  EXPECT_EQ(r.canonical_uri, "/test%24file.text");
  r.payload_hash = Sha256Hex(body);
  EXPECT_EQ(r.payload_hash, "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  r.headers["date"] = "Fri, 24 May 2013 00:00:00 GMT";
  r.headers["host"] = "examplebucket.s3.amazonaws.com";
  r.headers["x-amz-content-sha256"] = r.payload_hash;
  r.headers["x-amz-date"] = kDate;
  r.headers["x-amz-storage-class"] = "REDUCED_REDUNDANCY";
  EXPECT_EQ(Signature(r, kS3Example, kDate, "us-east-1", "s3"),
            "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

TEST(S3SignerTest, GetBucketLifecycle) {
  SigV4Request r = S3Get("/");
  r.query = {{"lifecycle", ""}};
  EXPECT_EQ(Signature(r, kS3Example, kDate, "us-east-1", "s3"),
            "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
}

TEST(S3SignerTest, ListObjects) {
  SigV4Request r = S3Get("/");
  r.query = {{"prefix", "J"}, {"max-keys", "2"}};  // the signer sorts them
  EXPECT_EQ(CanonicalQueryString(r.query), "max-keys=2&prefix=J");
  EXPECT_EQ(Signature(r, kS3Example, kDate, "us-east-1", "s3"),
            "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST(S3SignerTest, TestSuiteGetVanilla) {
  SigV4Request r;
  r.method = "GET";
  r.canonical_uri = "/";
  r.headers["host"] = "example.amazonaws.com";
  r.headers["x-amz-date"] = "20150830T123600Z";
  r.payload_hash = kEmptyHash;
  SigV4Credentials creds{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
  EXPECT_EQ(AuthorizationHeader(r, creds, "20150830T123600Z", "us-east-1", "service"),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request,"
            "SignedHeaders=host;x-amz-date,"
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

TEST(S3SignerTest, UriEncoding) {
  EXPECT_EQ(UriEncode("a b/c~d+e=f", true), "a%20b/c~d%2Be%3Df");
  EXPECT_EQ(UriEncode("a/b", false), "a%2Fb");
  EXPECT_EQ(UriEncode("\xc3\xa9", false), "%C3%A9");
  EXPECT_EQ(CanonicalQueryString({{"b", "2"}, {"a", "x y"}, {"a", "1"}}), "a=1&a=x%20y&b=2");
}

TEST(S3SignerTest, AmzDateShape) {
  std::string d = AmzDateNow();
  ASSERT_EQ(d.size(), 16u);
  EXPECT_EQ(d[8], 'T');
  EXPECT_EQ(d[15], 'Z');
}

}  // namespace
}  // namespace aishell::s3
