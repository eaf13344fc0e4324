#include "data/image_index.h"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "core/atomic_file.h"
#include "core/error.h"
#include "data/image_codec.h"
#include "data/image_listing.h"

namespace odenet {
namespace fs = std::filesystem;
namespace {

constexpr char kIndexMagic[8] = {'O', 'D', 'N', 'I', 'D', 'X', '0', '1'};
constexpr size_t kHeaderBytes = 64 * 1024;  ///< read first; a JPEG whose frame header lies further is read whole

int64_t modified(const fs::path& p) {
  std::error_code ec;
  const auto t = fs::last_write_time(p, ec);
  if (ec) throw DataError(p.string() + ": " + ec.message());
  return static_cast<int64_t>(t.time_since_epoch().count());
}

// What the cached index was built from: the folder's directories and their times, or the list file's.
uint64_t fingerprint(const ImageIndexOptions& o, const std::vector<std::string>& classes) {
  Fingerprint f;
  if (o.list.empty()) {
    f.add("folder " + fs::absolute(o.dir).string());
    f.add(modified(o.dir));
    for (const auto& c : classes) f.add(c), f.add(modified(fs::path(o.dir) / c));
  } else {
    f.add("list " + fs::absolute(o.list).string() + " " + fs::absolute(o.root).string());
    f.add(static_cast<int64_t>(fs::file_size(o.list)));
    f.add(modified(o.list));
  }
  f.add(o.skip_unreadable ? 1 : 0);
  return f.value;
}

FolderListing read_list(const std::string& list) {
  std::ifstream in(list);
  if (!in) throw DataError(list + ": cannot open the list file");
  FolderListing listing;
  std::string line;
  int64_t classes = 0;
  for (int64_t number = 1; std::getline(in, line); ++number) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string path, extra;
    int64_t label = -1;
    if (!(fields >> path >> label) || (fields >> extra) || label < 0)
      throw DataError(fmt::format("{}:{}: expected \"<path> <label>\" with a label ≥ 0, got \"{}\"", list, number, line));
    listing.files.push_back(path);
    listing.labels.push_back(label);
    classes = std::max(classes, label + 1);
  }
  if (listing.files.empty()) throw DataError(list + ": no \"<path> <label>\" lines");
  for (int64_t c = 0; c < classes; ++c) listing.class_names.push_back(std::to_string(c));
  return listing;
}

// The header's {height, width}: the first 64 KB, or the whole file when the frame header lies further.
std::array<int64_t, 2> header_size(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError(path + ": cannot open");
  std::vector<uint8_t> bytes(kHeaderBytes);
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  bytes.resize(static_cast<size_t>(in.gcount()));
  if (bytes.size() < kHeaderBytes) return image_size(bytes, path);
  try {
    return image_size(bytes, path);
  } catch (const DataError&) {
    return image_size(read_file_bytes(path), path);
  }
}

// Reads every file's header on `threads` threads; unreadable files are an error (or, skipping, left out).
std::shared_ptr<ImageFiles> read_headers(const FolderListing& listing, const std::string& base, const ImageIndexOptions& o) {
  const auto n = static_cast<int64_t>(listing.files.size());
  std::vector<std::array<int64_t, 2>> sizes(static_cast<size_t>(n));
  std::vector<std::string> errors(static_cast<size_t>(n));
  std::atomic<int64_t> next{0}, done{0};
  auto work = [&] {
    for (int64_t i; (i = next++) < n; ++done) {
      try {
        sizes[i] = header_size(base + "/" + listing.files[i]);
      } catch (const DataError& e) {
        errors[i] = e.what();
      }
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < std::max(1, o.threads); ++t) threads.emplace_back(work);
  const auto start = std::chrono::steady_clock::now();
  double shown = 0;
  while (done < n) {  // progress for the big ones (ImageNet: 1.28 M headers)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (seconds - shown >= 5 && done < n)
      shown = seconds, std::fprintf(stderr, "indexing %s: %lld/%lld headers, %.0f/s\n", base.c_str(),
                                    static_cast<long long>(done.load()), static_cast<long long>(n), done / seconds);
  }
  for (auto& t : threads) t.join();
  auto files = std::make_shared<ImageFiles>();
  files->class_names = listing.class_names;
  int64_t skipped = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (!errors[i].empty()) {
      if (!o.skip_unreadable) throw DataError(errors[i]);
      if (skipped++ < 5) std::fprintf(stderr, "warning: skipped %s\n", errors[i].c_str());
      continue;
    }
    files->paths.push_back(listing.files[i]);
    files->labels.push_back(listing.labels[i]);
    files->heights.push_back(static_cast<int32_t>(sizes[i][0]));
    files->widths.push_back(static_cast<int32_t>(sizes[i][1]));
  }
  if (skipped > 0) std::fprintf(stderr, "warning: %s: skipped %lld unreadable image(s) of %lld\n", base.c_str(),
                                static_cast<long long>(skipped), static_cast<long long>(n));
  if (files->paths.empty()) throw DataError(base + ": no readable images");
  return files;
}

template <typename T>
void put(std::string& out, T value) {
  out.append(reinterpret_cast<const char*>(&value), sizeof(T));
}

void save_index(const std::string& path, uint64_t print, const ImageFiles& files) {
  std::string out(kIndexMagic, sizeof(kIndexMagic));
  put<uint64_t>(out, print);
  put<uint64_t>(out, files.class_names.size());
  for (const auto& name : files.class_names) put<uint32_t>(out, static_cast<uint32_t>(name.size())), out += name;
  put<uint64_t>(out, files.paths.size());
  for (int64_t i = 0; i < files.size(); ++i) {
    put<int64_t>(out, files.labels[i]);
    put<int32_t>(out, files.heights[i]);
    put<int32_t>(out, files.widths[i]);
    put<uint32_t>(out, static_cast<uint32_t>(files.paths[i].size()));
    out += files.paths[i];
  }
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  write_file_atomic(path, out);
}

// The cached index if it exists and was built from the same folder state; null otherwise.
std::shared_ptr<ImageFiles> load_index(const std::string& path, uint64_t print) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return nullptr;
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t at = 0;
  auto take = [&](void* dst, size_t n) {
    if (at + n > bytes.size()) throw DataError(path + ": truncated index cache (delete it to rebuild)");
    std::memcpy(dst, bytes.data() + at, n);
    at += n;
  };
  auto get = [&](auto value) {
    take(&value, sizeof value);
    return value;
  };
  auto text = [&](uint32_t n) {
    if (at + n > bytes.size()) throw DataError(path + ": truncated index cache (delete it to rebuild)");
    at += n;
    return bytes.substr(at - n, n);
  };
  char magic[8];
  take(magic, sizeof magic);
  if (std::memcmp(magic, kIndexMagic, sizeof magic) != 0) throw DataError(path + ": not an odenet image index (delete it to rebuild)");
  if (get(uint64_t{}) != print) return nullptr;  // the folder changed since
  auto files = std::make_shared<ImageFiles>();
  const auto classes = get(uint64_t{});
  if (classes > bytes.size()) throw DataError(path + ": damaged index cache (delete it to rebuild)");
  for (uint64_t c = 0; c < classes; ++c) files->class_names.push_back(text(get(uint32_t{})));
  const auto n = get(uint64_t{});
  if (n > bytes.size() / 20) throw DataError(path + ": damaged index cache (delete it to rebuild)");
  for (uint64_t i = 0; i < n; ++i) {
    files->labels.push_back(get(int64_t{}));
    files->heights.push_back(get(int32_t{}));
    files->widths.push_back(get(int32_t{}));
    files->paths.push_back(text(get(uint32_t{})));
    if (files->labels.back() < 0 || static_cast<uint64_t>(files->labels.back()) >= classes || files->heights.back() < 1 ||
        files->widths.back() < 1)
      throw DataError(path + ": damaged index cache (delete it to rebuild)");
  }
  return files;
}

}  // namespace

void ImageFiles::read(int64_t i, std::vector<uint8_t>& bytes) const { read_file_into(paths[static_cast<size_t>(i)], bytes); }

std::string image_index_cache_path(const ImageIndexOptions& o) {
  Fingerprint where;
  where.add(fs::absolute(o.list.empty() ? o.dir : o.list).string());
  const std::string stem = fs::path(o.list.empty() ? o.dir : o.list).filename().string();
  return fmt::format("{}/image_index-{}-{:016x}.bin", o.cache_dir, stem, where.value);
}

std::shared_ptr<const ImageFiles> index_image_files(const ImageIndexOptions& o) {
  const std::vector<std::string> classes = o.list.empty() ? class_directories(o.dir) : std::vector<std::string>{};
  if (!o.list.empty() && !fs::is_regular_file(o.list)) throw DataError(o.list + ": no such list file");
  const uint64_t print = fingerprint(o, classes);
  const std::string cache = o.cache_dir.empty() ? "" : image_index_cache_path(o);
  const std::string base = o.list.empty() ? o.dir : o.root;
  std::shared_ptr<ImageFiles> files = cache.empty() ? nullptr : load_index(cache, print);
  if (!files) {
    files = read_headers(o.list.empty() ? list_image_folder(o.dir, classes) : read_list(o.list), base, o);
    if (!cache.empty()) save_index(cache, print, *files);
  }
  for (auto& p : files->paths) p = base + "/" + p;
  return files;
}

}  // namespace odenet
