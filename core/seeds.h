// Independent random streams derived from one run seed: stream `stream` of
// epoch `epoch` (SplitMix64 finaliser over the mixed inputs), so every epoch
// and every step can be replayed on its own.
#pragma once
#include <cstdint>

namespace odenet {

inline uint64_t derive_seed(uint64_t seed, int64_t epoch, uint64_t stream) {
  uint64_t x = seed * 0x9E3779B97F4A7C15ull + static_cast<uint64_t>(epoch) * 0xBF58476D1CE4E5B9ull + stream;
  x ^= x >> 31;
  x *= 0x94D049BB133111EBull;
  return x ^ (x >> 29);
}

/// The streams a training run draws from.
enum SeedStream : uint64_t {
  kOrderStream = 1,       ///< the epoch's permutation of the training set
  kStochasticStream = 2,  ///< LibTorch's generator for stochastic layers
  kViewStream = 3,        ///< crops and flips (then one sub-stream per step)
};

}  // namespace odenet
