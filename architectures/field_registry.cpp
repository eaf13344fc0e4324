#include "architectures/field_registry.h"

namespace odenet {

void register_builtin_fields(FieldRegistry& registry) {
  registry.add("basic", {"two 3x3 convolutions (ResNet's basic block)", 2, 1, {},
                         [](const FieldShape& s, const ModelOptions&) -> std::shared_ptr<FieldImpl> {
                           return std::make_shared<BasicFieldImpl>(
                               BasicFieldOptions(s.in, s.out).stride(s.stride).activation(s.activation));
                         }});
  registry.add("bottleneck", {"1x1, 3x3 (grouped: ResNeXt), 1x1 with a 4x wider output", 3, 4,
                              {"cardinality", "bottleneck_width"},
                              [](const FieldShape& s, const ModelOptions& m) -> std::shared_ptr<FieldImpl> {
                                return std::make_shared<BottleneckFieldImpl>(BottleneckFieldOptions(s.in, s.inner, s.out)
                                                                                 .stride(s.stride)
                                                                                 .activation(s.activation)
                                                                                 .groups(m.cardinality));
                              }});
  registry.add("conv", {"one 3x3 conv-BN-ReLU unit with optional dropout (FractalNet's)", 1, 1, {},
                        [](const FieldShape& s, const ModelOptions&) -> std::shared_ptr<FieldImpl> {
                          return std::make_shared<ConvUnitImpl>(
                              ConvUnitOptions(s.in, s.out).stride(s.stride).activation(s.activation).dropout(s.dropout));
                        }});
}

FieldRegistry& field_registry() {
  static FieldRegistry registry = [] {
    FieldRegistry r("field (block)");
    register_builtin_fields(r);
    return r;
  }();
  return registry;
}

}  // namespace odenet
