// The checkpoint container: one header line — format, CRC-32 and size of the
// payload, and the identity of the run that wrote it (config hash, seed,
// epoch) — followed by the LibTorch archive. A flipped byte, a truncated file
// or another run's checkpoint is caught before anything is loaded.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

namespace odenet {

/// Writes `payload` behind its header to `path`, atomically.
void write_checkpoint_file(const std::string& path, const std::string& payload, const nlohmann::json& identity);

/// Reads `path`, checks size and CRC-32 (a DataError naming the file otherwise) and returns the
/// payload; `identity` receives the writer's identity (null for a bare archive written by an
/// odenet before the container existed, which is returned unchecked).
std::string read_checkpoint_file(const std::string& path, nlohmann::json& identity);

/// The writer's identity from `path`'s header line alone (no checksum: read_checkpoint_file checks
/// that when the checkpoint is loaded); null when the file is missing, bare or its header unreadable.
nlohmann::json read_checkpoint_identity(const std::string& path);

/// A 16-hex-digit FNV-1a hash of `text` (a run's config.json, for identities).
std::string text_hash(const std::string& text);

}  // namespace odenet
