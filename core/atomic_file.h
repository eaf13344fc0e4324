// Files that are either whole or absent: write to a temporary sibling, flush
// it to disk, then rename over the target (rename is atomic on POSIX).
#pragma once
#include <functional>
#include <string>

namespace odenet {

/// Writes `contents` to `path` atomically; a full disk or any I/O error is an
/// Error naming the file, and the previous file (if any) stays intact.
void write_file_atomic(const std::string& path, const std::string& contents);

/// The whole file as bytes; a missing or unreadable file is a DataError naming it.
std::string read_text_file(const std::string& path);

/// Calls `write(tmp_path)` to produce the file, then fsyncs and renames it to `path`.
void replace_file_atomic(const std::string& path, const std::function<void(const std::string&)>& write);

}  // namespace odenet
