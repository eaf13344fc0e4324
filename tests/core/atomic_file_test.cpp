// A write that fails reports the failing call's error: a small write to a full device is buffered,
// succeeds, and fails only at fclose with ENOSPC; a stale errno from before (ENOTTY, as fopen's
// isatty leaves it) must not be what the message says (#31: "Inappropriate ioctl for device").
#include <gtest/gtest.h>

#include <cerrno>
#include <filesystem>

#include "core/atomic_file.h"
#include "core/error.h"
#include "tests/support/test_support.h"

namespace odenet {
namespace {

TEST(AtomicFile, AFullDiskIsReportedAsSuchNotAsAStaleErrno) {
  test::ScratchDir dir;
  const std::string path = dir / "small.json";
  std::filesystem::create_symlink("/dev/full", path + ".tmp");
  errno = ENOTTY;
  try {
    write_file_atomic(path, "{\"small\": true}\n");
    FAIL() << "a write to /dev/full succeeded";
  } catch (const Error& e) {
    EXPECT_EQ(std::string(e.what()), path + ": cannot write (No space left on device)");
  }
  EXPECT_FALSE(std::filesystem::exists(path));
  EXPECT_FALSE(std::filesystem::exists(std::filesystem::symlink_status(path + ".tmp")));  // the temp entry is removed
}

}  // namespace
}  // namespace odenet
