#include "catalog/schema_cache.h"

#include "common/exception.h"

namespace aishell {

namespace {

class UnavailableScan : public TableScan {
 public:
  UnavailableScan(std::string catalog, std::string error)
      : catalog_(std::move(catalog)), error_(std::move(error)) {}

  void SetProjection(const std::vector<int>&) override {}
  std::string Describe() const override {
    return "source '" + catalog_ + "' unavailable: " + error_;
  }
  double EstimatedRows() const override { return 0; }
  std::vector<std::shared_ptr<Split>> CreateSplits(int) override { Fail(); }
  std::unique_ptr<DataSource> CreateDataSource(std::shared_ptr<Split>) override { Fail(); }

 private:
  [[noreturn]] void Fail() const { throw Error(ErrorKind::kConnector, error_); }

  std::string catalog_;
  std::string error_;
};

}  // namespace

std::unique_ptr<TableScan> MakeUnavailableScan(const std::string& catalog,
                                               const std::string& error) {
  return std::make_unique<UnavailableScan>(catalog, error);
}

}  // namespace aishell
