// Small steps and fields the scheme-family tests share: a scheme's network step on 8-channel
// pre-activation basic fields, its named sub-fields, and float comparisons.
#pragma once
#include <nlohmann/json.hpp>

#include "discretizations/scheme.h"

namespace odenet::test {

constexpr int64_t kChannels = 8;

/// Basic pre-activation fields on kChannels (a partitioned scheme's halves on kChannels / 2).
FieldFactory conv_fields();
/// The network step of `spec` (seed 0, parameters nudged off symmetric inits, eval mode).
std::shared_ptr<StepImpl> block(const nlohmann::json& spec);
/// The step's sub-field registered as `name`.
FieldImpl& child(StepImpl& step, const std::string& name);
double max_difference(const torch::Tensor& a, const torch::Tensor& b);
/// A [2, kChannels, 6, 6] standard normal state.
torch::Tensor input();
std::shared_ptr<Scheme> scheme(const nlohmann::json& spec);

}  // namespace odenet::test
