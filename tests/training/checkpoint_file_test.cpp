#include "training/checkpoint_file.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "tests/support/test_support.h"

namespace odenet {
namespace {

std::string error_of(const std::string& path) {
  try {
    nlohmann::json identity;
    read_checkpoint_file(path, identity);
  } catch (const DataError& e) {
    return e.what();
  }
  return "";
}

TEST(CheckpointFile, RoundTripsThePayloadAndTheIdentity) {
  test::ScratchDir dir;
  std::string payload = "PK\x03\x04 pretend archive";
  payload += std::string(1000, '\0') + "end";
  write_checkpoint_file(dir / "c.pt", payload, {{"config_hash", "abc"}, {"seed", 3}, {"epoch", 7}});
  nlohmann::json identity;
  EXPECT_EQ(read_checkpoint_file(dir / "c.pt", identity), payload);
  EXPECT_EQ(identity["seed"], 3);
  EXPECT_EQ(identity["epoch"], 7);
}

TEST(CheckpointFile, FlippedTruncatedAndForeignBytesAreRefusedNamingTheFile) {
  test::ScratchDir dir;
  const std::string payload(5000, 'x');
  write_checkpoint_file(dir / "c.pt", payload, {{"seed", 0}});
  std::string bytes = test::read_text(dir / "c.pt");
  std::string flipped = bytes;
  for (size_t i = bytes.size() - 4000; i < bytes.size() - 3600; ++i) flipped[i] ^= 0x5a;  // 400 flipped bytes
  test::write_text(dir / "flipped.pt", flipped);
  EXPECT_NE(error_of(dir / "flipped.pt").find(dir / "flipped.pt: damaged checkpoint: CRC-32"), std::string::npos)
      << error_of(dir / "flipped.pt");
  test::write_text(dir / "short.pt", bytes.substr(0, bytes.size() - 10));
  EXPECT_NE(error_of(dir / "short.pt").find("damaged checkpoint: 4990 bytes of data where the header promises 5000"),
            std::string::npos) << error_of(dir / "short.pt");
  test::write_text(dir / "junk.pt", "hello");
  EXPECT_EQ(error_of(dir / "junk.pt"), dir / "junk.pt: not an odenet checkpoint");
  EXPECT_NE(error_of(dir / "missing.pt").find("cannot open checkpoint"), std::string::npos);
  // A bare LibTorch archive (written before the container existed) is returned unchecked.
  test::write_text(dir / "old.pt", "PK\x03\x04old");
  nlohmann::json identity;
  EXPECT_EQ(read_checkpoint_file(dir / "old.pt", identity), "PK\x03\x04old");
  EXPECT_TRUE(identity.is_null());
}

}  // namespace
}  // namespace odenet
