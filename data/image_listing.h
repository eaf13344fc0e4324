// A split in ImageNet's layout, root/<split>/<class>/<images>, as both image formats list it:
// class directories in sorted order as labels (hidden ones are not classes; those without
// images are skipped with a note), their .jpg/.jpeg/.png files sorted; and the FNV-1a
// fingerprint their caches are keyed on.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace odenet {

struct FolderListing {
  std::vector<std::string> class_names;
  std::vector<std::string> files;  ///< <class>/<file>, relative to the split's directory
  std::vector<int64_t> labels;
};

/// The class directories under `dir`, sorted, hidden ones left out; a DataError naming `dir`
/// when it is not a directory.
std::vector<std::string> class_directories(const std::string& dir);

/// The images of `classes` (class_directories(dir)); fewer than two classes with images is a
/// DataError naming `dir` (a one-class classifier would train to 0 % error and say nothing).
FolderListing list_image_folder(const std::string& dir, const std::vector<std::string>& classes);

/// FNV-1a over strings, each closed by a separator byte.
struct Fingerprint {
  uint64_t value = 1469598103934665603ull;
  void add(const std::string& s) {
    for (unsigned char c : s) value = (value ^ c) * 1099511628211ull;
    value = (value ^ 0xff) * 1099511628211ull;
  }
  void add(int64_t v) { add(std::to_string(v)); }
};

}  // namespace odenet
