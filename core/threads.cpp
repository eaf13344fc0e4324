#include "core/threads.h"

#include <ATen/Parallel.h>

#include <algorithm>
#include <thread>

namespace odenet {

int available_cores() { return std::max(1, static_cast<int>(std::thread::hardware_concurrency())); }

int threads_per_process(int processes) { return std::max(1, available_cores() / std::max(1, processes)); }

int configure_threads(int requested) {
  at::set_num_threads(requested > 0 ? requested : available_cores());
  return at::get_num_threads();
}

}  // namespace odenet
