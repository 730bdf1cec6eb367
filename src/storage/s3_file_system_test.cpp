// S3FileSystem against a real MinIO (scripts/services/minio.sh; AISHELL_TEST_S3_* variables).
// Skips when the variables are unset, fails when CI=true.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <random>
#include <set>
#include <thread>

#include "common/exception.h"
#include "common/testing/live_server.h"
#include "storage/file_system.h"
#include "storage/s3_client.h"

namespace aishell {
namespace {

std::string EnvOr(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? "" : v;
}

class S3FileSystemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    AISHELL_LIVE_SERVER_ENV(endpoint_, "AISHELL_TEST_S3_ENDPOINT",
                            "scripts/services/minio.sh start");
    options_ = {{"s3.endpoint", endpoint_},
                {"s3.access-key-id", EnvOr("AISHELL_TEST_S3_ACCESS_KEY")},
                {"s3.secret-access-key", EnvOr("AISHELL_TEST_S3_SECRET_KEY")},
                {"s3.region", "us-east-1"},
                {"s3.path-style-access", "true"}};
    std::random_device rd;
    root_ = "s3://" + EnvOr("AISHELL_TEST_S3_BUCKET") + "/aishell-unit/" + std::to_string(rd()) +
            "-" + std::to_string(rd());
    fs_ = FileSystemForPath(root_, options_);
  }
  void TearDown() override {
    if (!fs_) return;
    try {
      for (const auto& f : fs_->List(root_, true)) fs_->Delete(f.path);
    } catch (...) {
    }
  }
  void Put(const std::string& path, const std::string& data) {
    auto w = fs_->OpenForWrite(path);
    w->Append(data);
    w->Close();
  }
  static std::string Bytes(size_t n, uint32_t seed) {
    std::mt19937 gen(seed);
    std::string s(n, '\0');
    for (auto& c : s) c = static_cast<char>(gen() & 0xFF);
    return s;
  }

  std::string endpoint_, root_;
  StorageOptions options_;
  std::shared_ptr<FileSystem> fs_;
};

TEST_F(S3FileSystemTest, RangedReadsAndTail) {
  std::string data = Bytes(300 * 1024 + 17, 1);
  std::string path = root_ + "/data.bin";
  Put(path, data);
  EXPECT_EQ(fs_->Stat(path).size, static_cast<int64_t>(data.size()));
  auto f = fs_->OpenForRead(path);
  EXPECT_EQ(f->Size(), static_cast<int64_t>(data.size()));
  EXPECT_EQ(f->MappedData(), nullptr);
  EXPECT_EQ(f->ReadRange(0, 10), data.substr(0, 10));
  EXPECT_EQ(f->ReadRange(123457, 65536), data.substr(123457, 65536));
  // Footer-style reads from the end (served by the tail cache after the first).
  EXPECT_EQ(f->ReadRange(f->Size() - 8, 8), data.substr(data.size() - 8));
  EXPECT_EQ(f->ReadRange(f->Size() - 5000, 4992), data.substr(data.size() - 5000, 4992));
  EXPECT_EQ(f->ReadRange(5, 0), "");
  EXPECT_EQ(f->ReadAll(), data);
  try {
    f->ReadRange(f->Size() - 4, 8);
    FAIL() << "read past the end";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
  }
}

TEST_F(S3FileSystemTest, ConcurrentReads) {
  std::string data = Bytes(512 * 1024, 2);
  std::string path = root_ + "/concurrent.bin";
  Put(path, data);
  auto f = fs_->OpenForRead(path);
  std::atomic<int> bad{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 gen(t);
      for (int i = 0; i < 10; ++i) {
        int64_t off = gen() % (data.size() - 1);
        int64_t len = std::min<int64_t>(1 + gen() % 40000, data.size() - off);
        if (f->ReadRange(off, len) != data.substr(off, len)) bad++;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(bad.load(), 0);
}

TEST_F(S3FileSystemTest, WriteIsVisibleOnlyAfterClose) {
  std::string path = root_ + "/dir/visible.txt";
  auto w = fs_->OpenForWrite(path);
  w->Append("hello ");
  w->Append("world");
  EXPECT_FALSE(fs_->Exists(path));
  w->Close();
  EXPECT_TRUE(fs_->Exists(path));
  EXPECT_EQ(fs_->OpenForRead(path)->ReadAll(), "hello world");
  // Replacing an object.
  Put(path, "v2");
  EXPECT_EQ(fs_->OpenForRead(path)->ReadAll(), "v2");
  // A writer dropped without Close leaves nothing.
  { fs_->OpenForWrite(root_ + "/dir/abandoned.txt")->Append("x"); }
  EXPECT_FALSE(fs_->Exists(root_ + "/dir/abandoned.txt"));
}

TEST_F(S3FileSystemTest, MultipartUpload) {
  std::string data = Bytes(17 * 1024 * 1024 + 333, 3);  // above the 16 MB part size
  std::string path = root_ + "/big.bin";
  auto w = fs_->OpenForWrite(path);
  for (size_t off = 0; off < data.size(); off += 1000000) {
    w->Append(data.data() + off, std::min<size_t>(1000000, data.size() - off));
  }
  EXPECT_FALSE(fs_->Exists(path));
  w->Close();
  auto f = fs_->OpenForRead(path);
  ASSERT_EQ(f->Size(), static_cast<int64_t>(data.size()));
  EXPECT_EQ(f->ReadRange(16 * 1024 * 1024 - 10, 20), data.substr(16 * 1024 * 1024 - 10, 20));
  EXPECT_EQ(f->ReadRange(f->Size() - 100, 100), data.substr(data.size() - 100));
  // A large read is fetched as concurrent ranged GETs; the bytes are the same.
  EXPECT_TRUE(f->ReadAll() == data);
  EXPECT_TRUE(f->ReadRange(3, 16 * 1024 * 1024 + 5) == data.substr(3, 16 * 1024 * 1024 + 5));
}

TEST_F(S3FileSystemTest, ListWithPaginationAndDirectories) {
  StorageOptions small = options_;
  small["s3.list-page-size"] = "3";
  auto fs = FileSystemForPath(root_, small);
  std::set<std::string> expected;
  for (int i = 0; i < 10; ++i) {
    std::string p = root_ + "/list/f" + std::to_string(i) + ".parquet";
    Put(p, std::to_string(i));
    expected.insert(p);
  }
  Put(root_ + "/list/sub/a.csv", "a");
  Put(root_ + "/list/sub/deeper/b.csv", "bb");
  auto flat = fs->List(root_ + "/list", false);
  ASSERT_EQ(flat.size(), 11u);
  std::set<std::string> files;
  for (const auto& f : flat) {
    if (f.is_directory) {
      EXPECT_EQ(f.path, root_ + "/list/sub");
    } else {
      files.insert(f.path);
      EXPECT_GT(f.mtime_ns, 0);
    }
  }
  EXPECT_EQ(files, expected);
  auto deep = fs->List(root_ + "/list/", true);
  ASSERT_EQ(deep.size(), 12u);
  EXPECT_TRUE(std::is_sorted(deep.begin(), deep.end(),
                             [](const FileInfo& a, const FileInfo& b) { return a.path < b.path; }));
  EXPECT_EQ(deep.back().path, root_ + "/list/sub/deeper/b.csv");
  EXPECT_EQ(deep.back().size, 2);
  EXPECT_TRUE(fs->Stat(root_ + "/list/sub").is_directory);
  EXPECT_EQ(fs->Stat(root_ + "/list/nothing").size, -1);
  EXPECT_TRUE(fs->List(root_ + "/nothing-here", true).empty());
}

TEST_F(S3FileSystemTest, SchemesS3aAndS3n) {
  std::string key = root_.substr(std::string("s3://").size()) + "/scheme.txt";
  Put("s3a://" + key, "via s3a");
  EXPECT_EQ(fs_->OpenForRead("s3n://" + key)->ReadAll(), "via s3a");
  auto listed = fs_->List("s3a://" + root_.substr(5), false);
  ASSERT_FALSE(listed.empty());
  EXPECT_EQ(listed[0].path.rfind("s3a://", 0), 0u) << listed[0].path;
}

TEST_F(S3FileSystemTest, WriteIfAbsentIsAtomic) {
  std::string path = root_ + "/metadata/v1.metadata.json";
  EXPECT_TRUE(fs_->WriteIfAbsent(path, "first"));
  EXPECT_FALSE(fs_->WriteIfAbsent(path, "second"));
  EXPECT_EQ(fs_->OpenForRead(path)->ReadAll(), "first");
  // A race: eight writers, one winner, and the object holds the winner's content.
  std::string raced = root_ + "/metadata/v2.metadata.json";
  std::atomic<int> winners{0};
  std::vector<int> won(8, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      if (fs_->WriteIfAbsent(raced, "writer " + std::to_string(t))) {
        winners++;
        won[t] = 1;
      }
    });
  }
  for (auto& t : threads) t.join();
  ASSERT_EQ(winners.load(), 1);
  int winner = static_cast<int>(std::find(won.begin(), won.end(), 1) - won.begin());
  EXPECT_EQ(fs_->OpenForRead(raced)->ReadAll(), "writer " + std::to_string(winner));
}

TEST_F(S3FileSystemTest, DeleteIsIdempotent) {
  std::string path = root_ + "/gone.txt";
  Put(path, "x");
  fs_->Delete(path);
  EXPECT_FALSE(fs_->Exists(path));
  fs_->Delete(path);
}

TEST_F(S3FileSystemTest, MissingKeyNamesThePath) {
  std::string path = root_ + "/no/such/file.parquet";
  try {
    fs_->OpenForRead(path);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kIo);
    std::string msg = e.what();
    EXPECT_NE(msg.find("no such file"), std::string::npos) << msg;
    EXPECT_NE(msg.find(path), std::string::npos) << msg;
  }
  std::string bucket_path = "s3://aishell-no-such-bucket-x/a.csv";
  try {
    fs_->OpenForRead(bucket_path);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find(bucket_path), std::string::npos) << msg;
  }
}

TEST_F(S3FileSystemTest, WrongCredentialsSayStaysSecret) {
  Put(root_ + "/secret.txt", "s");
  StorageOptions wrong = options_;
  wrong["s3.secret-access-key"] = "not-the-secret-Zq9";
  auto fs = FileSystemForPath(root_, wrong);
  for (int op = 0; op < 3; ++op) {
    try {
      if (op == 0) fs->OpenForRead(root_ + "/secret.txt");
      if (op == 1) fs->List(root_, true);
      if (op == 2) fs->WriteIfAbsent(root_ + "/w.txt", "x");
      FAIL() << "expected an error for op " << op;
    } catch (const Error& e) {
      std::string msg = e.what();
      EXPECT_EQ(e.kind(), ErrorKind::kIo);
      EXPECT_NE(msg.find("wrong S3 credentials"), std::string::npos) << msg;
      EXPECT_NE(msg.find(root_), std::string::npos) << msg;
      EXPECT_EQ(msg.find("not-the-secret-Zq9"), std::string::npos) << msg;
      EXPECT_EQ(msg.find(options_["s3.secret-access-key"]), std::string::npos) << msg;
    }
  }
}

TEST_F(S3FileSystemTest, CredentialsFromEnvironment) {
  Put(root_ + "/env.txt", "from env");
  ::setenv("AWS_ACCESS_KEY_ID", options_["s3.access-key-id"].c_str(), 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", options_["s3.secret-access-key"].c_str(), 1);
  ::setenv("AWS_ENDPOINT_URL", endpoint_.c_str(), 1);
  ::setenv("AWS_REGION", "us-east-1", 1);
  auto fs = FileSystemForPath(root_, {{"s3.max-attempts", "2"}});  // a fresh instance
  std::string got = fs->OpenForRead(root_ + "/env.txt")->ReadAll();
  ::unsetenv("AWS_ACCESS_KEY_ID");
  ::unsetenv("AWS_SECRET_ACCESS_KEY");
  ::unsetenv("AWS_ENDPOINT_URL");
  ::unsetenv("AWS_REGION");
  EXPECT_EQ(got, "from env");
}

TEST_F(S3FileSystemTest, UnreachableEndpointIsBounded) {
  StorageOptions dead = options_;
  dead["s3.endpoint"] = "http://127.0.0.1:1";
  dead["s3.max-attempts"] = "2";
  auto fs = FileSystemForPath(root_, dead);
  try {
    fs->Stat(root_ + "/x");
    FAIL() << "expected an error";
  } catch (const Error& e) {
    std::string msg = e.what();
    EXPECT_NE(msg.find("cannot reach S3 endpoint http://127.0.0.1:1"), std::string::npos) << msg;
    EXPECT_NE(msg.find("2 attempts"), std::string::npos) << msg;
  }
}

}  // namespace
}  // namespace aishell
