#include "core/atomic_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

#include "core/error.h"

namespace odenet {
namespace {

void fsync_path(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY);
  if (fd < 0) throw Error(path + ": cannot reopen to flush: " + std::strerror(errno));
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) throw Error(path + ": cannot flush to disk: " + std::strerror(err));
}

}  // namespace

void replace_file_atomic(const std::string& path, const std::function<void(const std::string&)>& write) {
  std::string tmp = path + ".tmp";
  try {
    write(tmp);
    fsync_path(tmp);
    std::filesystem::rename(tmp, path);
  } catch (const Error&) {
    std::remove(tmp.c_str());
    throw;
  } catch (const std::exception& e) {
    std::remove(tmp.c_str());
    throw Error(path + ": cannot write: " + e.what());
  }
}

std::string read_text_file(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw DataError(path + ": cannot read: " + std::strerror(errno));
  std::string out;
  char buffer[65536];
  for (size_t n; (n = std::fread(buffer, 1, sizeof buffer, f)) > 0;) out.append(buffer, n);
  const bool failed = std::ferror(f);
  std::fclose(f);
  if (failed) throw DataError(path + ": cannot read");
  return out;
}

void write_file_atomic(const std::string& path, const std::string& contents) {
  replace_file_atomic(path, [&](const std::string& tmp) {
    std::FILE* f = std::fopen(tmp.c_str(), "wb");
    if (!f) throw Error(tmp + ": cannot create: " + std::strerror(errno));
    // The error of the call that failed: a buffered write's ENOSPC often surfaces only at fclose,
    // and errno is stale (e.g. ENOTTY from fopen's isatty) after a call that succeeded.
    errno = 0;
    const size_t written = std::fwrite(contents.data(), 1, contents.size(), f);
    const int write_error = written != contents.size() ? errno : 0;
    errno = 0;
    const bool closed = std::fclose(f) == 0;
    const int close_error = closed ? 0 : errno;
    if (written != contents.size() || !closed) {
      const int err = write_error ? write_error : close_error;
      throw Error(path + ": cannot write (" + (err ? std::strerror(err) : "short write") + ")");
    }
  });
}

}  // namespace odenet
