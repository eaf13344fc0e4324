#include "data/image_listing.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "core/error.h"
#include "data/image_codec.h"

namespace odenet {
namespace fs = std::filesystem;

std::vector<std::string> class_directories(const std::string& dir) {
  if (!fs::is_directory(dir)) throw DataError(dir + ": no such directory (expected root/<split>/<class>/<images>)");
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_directory() && !name.empty() && name[0] != '.') names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

FolderListing list_image_folder(const std::string& dir, const std::vector<std::string>& classes) {
  FolderListing listing;
  for (const auto& name : classes) {
    std::vector<std::string> files;
    for (const auto& entry : fs::directory_iterator(fs::path(dir) / name)) {
      const std::string file = entry.path().filename().string();
      if (entry.is_regular_file() && file[0] != '.' && is_image_file_name(file)) files.push_back(name + "/" + file);
    }
    if (files.empty()) {
      std::fprintf(stderr, "note: %s/%s: no .jpg/.jpeg/.png files, not a class\n", dir.c_str(), name.c_str());
      continue;
    }
    std::sort(files.begin(), files.end());
    const auto label = static_cast<int64_t>(listing.class_names.size());
    listing.class_names.push_back(name);
    for (auto& f : files) listing.files.push_back(std::move(f)), listing.labels.push_back(label);
  }
  if (listing.class_names.empty()) throw DataError(dir + ": no class directories with images");
  if (listing.class_names.size() == 1)
    throw DataError(dir + ": one class directory ('" + listing.class_names.front() + "'); a classifier needs two or more");
  return listing;
}

}  // namespace odenet
