// The vector fields a layout's steps evaluate ("block" in a model object: basic, bottleneck,
// conv), in an explicit registry like the schemes': an entry says how many weighted layers one
// field holds, how much wider than the stage width its output is, which model keys only it
// reads, and how to build it.
#pragma once
#include <functional>
#include <memory>

#include "architectures/fields.h"
#include "architectures/model_options.h"
#include "core/registry.h"

namespace odenet {

/// One field's shape as the layout asks for it.
struct FieldShape {
  int64_t in = 0, out = 0, stride = 1;
  /// The stage's 3×3 width where the field has an inner width (bottlenecks: out / 4 by default).
  int64_t inner = 0;
  Activation activation = Activation::kPost;
  double dropout = 0.0;  ///< conv units (FractalNet)
};

struct FieldEntry {
  std::string description;
  int layers = 2;          ///< weighted layers along one field (depth = layers · steps · … + 2)
  int64_t expansion = 1;   ///< a stage's channels over its width (bottleneck: 4)
  /// Model keys only this field reads (others reject them).
  std::vector<std::string> keys;
  std::function<std::shared_ptr<FieldImpl>(const FieldShape& shape, const ModelOptions& model)> build;
};
using FieldRegistry = Registry<FieldEntry>;

void register_builtin_fields(FieldRegistry& registry);
FieldRegistry& field_registry();

}  // namespace odenet
