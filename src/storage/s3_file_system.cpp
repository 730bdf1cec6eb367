#include "common/exception.h"
#include "storage/file_system.h"

namespace aishell {

std::shared_ptr<FileSystem> CreateS3FileSystem(const StorageOptions&) {
  throw Error(ErrorKind::kUnsupported, "unsupported: S3 storage is not built yet");
}

}  // namespace aishell
