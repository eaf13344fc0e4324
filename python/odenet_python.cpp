// The C++ half of the Python module `odenet` (package: python/odenet/): the
// registries, model building, run loading and scheme verification, exposed
// through pybind11. The Python half wraps a network into a torch.nn.Module.
#include <torch/csrc/utils/pybind.h>  // pybind11 with LibTorch's tensor conversions

#include <fmt/format.h>
#include <pybind11/stl.h>

#include "analysis/ode_problems.h"
#include "analysis/scheme_verification.h"
#include "analysis/trained_model.h"
#include "analysis/trained_ode.h"
#include "analysis/trajectory.h"
#include "architectures/presets.h"
#include "architectures/torchvision_names.h"
#include "core/error.h"
#include "core/state_dict.h"
#include "data/jpeg_crop.h"
#include "core/json_reader.h"
#include "discretizations/plugin_loader.h"

namespace py = pybind11;

namespace odenet {
namespace {

py::object to_python(const nlohmann::json& j) { return py::module_::import("json").attr("loads")(j.dump()); }

nlohmann::json from_python(const py::handle& value, const std::string& what) {
  try {
    return nlohmann::json::parse(py::module_::import("json").attr("dumps")(value).cast<std::string>());
  } catch (const py::error_already_set& e) {
    throw ConfigError(what + ": not JSON-serialisable: " + e.what());
  }
}

std::shared_ptr<ClassifierImpl> build(const nlohmann::json& model, const std::string& source, int64_t in_channels,
                                      int64_t num_classes) {
  ModelOptions options = model_options_from_json(JsonReader(model, source, "/model"), preset_options);
  const auto& scheme = options.scheme;
  if (num_classes <= 0) num_classes = native_classes(options);
  if (in_channels <= 0) throw ConfigError(fmt::format("{}: in_channels {} is not positive", source, in_channels));
  return build_model(options, *scheme, in_channels, num_classes);
}

// Each module's own parameters and buffers, by module path ("" for the root): the Python side
// registers these very tensors in a mirror of the module tree.
py::list tensors_by_module(ClassifierImpl& model) {
  py::list out;
  for (const auto& item : model.named_modules("", /*include_self=*/true)) {
    py::list parameters, buffers;
    for (const auto& p : item.value()->named_parameters(false)) parameters.append(py::make_tuple(p.key(), p.value()));
    for (const auto& b : item.value()->named_buffers(false)) buffers.append(py::make_tuple(b.key(), b.value()));
    out.append(py::make_tuple(item.key(), parameters, buffers));
  }
  return out;
}

// The per-step trajectory of a staged network as a list of dicts (C++ steps run in C++, so Python
// forward hooks on their mirrors would never fire: this is how Python sees them).
py::list trajectory(ClassifierImpl& net, const torch::Tensor& x) {
  auto* staged = dynamic_cast<StagedNetworkImpl*>(&net);
  if (!staged) throw ConfigError(net.name() + " has no time-stepping stages (a FractalNet?): no trajectory");
  torch::Tensor logits;
  py::list out;
  for (const auto& p : trace_trajectory(*staged, x, /*fields=*/true, &logits)) {
    py::dict d;
    d["name"] = p.name;
    d["stage"] = p.stage + 1;
    d["step"] = p.step + 1;
    d["opening"] = p.opening;
    d["u"] = p.u;
    d["f"] = p.f.defined() ? py::cast(p.f) : py::none();
    d["increment"] = p.increment.defined() ? py::cast(p.increment) : py::none();
    out.append(d);
  }
  return out;
}

std::vector<nlohmann::json> scheme_list(const py::object& schemes) {
  std::vector<nlohmann::json> out;
  if (schemes.is_none()) return out;
  if (py::isinstance<py::str>(schemes)) return {schemes.cast<std::string>()};
  for (const auto& s : schemes) out.push_back(from_python(py::reinterpret_borrow<py::object>(s), "schemes"));
  return out;
}

}  // namespace
}  // namespace odenet

PYBIND11_MODULE(_odenet, m) {
  using namespace odenet;
  m.doc() = "odenet's C++ core (use the package `odenet`)";
  static py::exception<Error> error(m, "Error", PyExc_ValueError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const Error& e) {
      error(e.what());
    }
  });

  py::class_<ClassifierImpl, std::shared_ptr<ClassifierImpl>>(m, "Network")
      .def("forward", [](ClassifierImpl& net, const torch::Tensor& x) { return net.forward(x); })
      .def("train", [](ClassifierImpl& net, bool mode) { net.train(mode); })
      .def("is_training", [](ClassifierImpl& net) { return net.is_training(); })
      .def("tensors_by_module", &tensors_by_module)
      .def("parameter_count", [](ClassifierImpl& net) { return count_parameters(net); })
      .def("trajectory", &trajectory)
      .def("__repr__", [](ClassifierImpl& net) { return net.name(); });

  m.def("schemes", [] {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& name : scheme_registry().names()) out.push_back(to_json(scheme_registry().get(name).info));
    return to_python(out);
  });
  m.def("models", [](int64_t channels, int64_t classes) { return to_python(describe_presets(channels, classes)); },
        py::arg("channels") = 3, py::arg("classes") = 0);
  m.def(
      "build_model",
      [](const py::object& model, int64_t in_channels, int64_t num_classes) {
        return build(from_python(model, "model"), "build_model", in_channels, num_classes);
      },
      py::arg("model"), py::arg("in_channels") = 3, py::arg("num_classes") = 0);
  m.def("load_run", [](const std::string& dir) { return load_trained_model(dir).model; }, py::arg("run_dir"));
  m.def(
      "decode_resized_crop",
      [](const py::bytes& jpeg, std::array<int64_t, 4> box, int64_t height, int64_t width, bool dct_scaling) {
        const std::string text = jpeg;
        const std::vector<uint8_t> bytes(text.begin(), text.end());
        Image image;
        {
          py::gil_scoped_release release;
          image = decode_resized_crop(bytes, "<bytes>", CropBox{box[0], box[1], box[2], box[3]}, height, width, dct_scaling);
        }
        return torch::from_blob(image.pixels.data(), {image.height, image.width, image.channels}, torch::kUInt8).clone();
      },
      py::arg("jpeg"), py::arg("box"), py::arg("height") = 224, py::arg("width") = 224, py::arg("dct_scaling") = false,
      "The (top, left, height, width) box of a JPEG resized to height x width (antialiased), uint8 HWC: only the "
      "box's rows and columns decoded (with dct_scaling, at a reduced DCT scale where the box stays twice the "
      "target): an ImageNet loader's view.");
  m.def(
      "verify_scheme",
      [](const py::object& scheme_spec, const std::string& problem_name, const std::vector<int>& steps,
         std::optional<double> t1) {
        check_step_counts(steps, "steps");
        if (t1) check_final_time(*t1, "t1");
        auto scheme = build_scheme(scheme_registry(), from_python(scheme_spec, "scheme"), "scheme", "");
        OdeProblem problem = make_problem(problem_name);
        return to_python(to_json(verify_scheme(*scheme, scheme->to_json().dump(), problem, steps, t1.value_or(problem.t1))));
      },
      py::arg("scheme"), py::arg("problem"), py::arg("steps") = std::vector<int>{10, 20, 40, 80, 160},
      py::arg("t1") = py::none());
  m.def("torchvision_name", &torchvision_name, py::arg("name"),
        "torchvision's name for an ImageNet ResNet tensor of odenet's ('' for LM coefficients)");
  m.def(
      "load_torchvision_state_dict",
      [](ClassifierImpl& net, const py::dict& tensors) {
        StateDict dict;
        for (const auto& [name, tensor] : tensors) dict.insert(name.cast<std::string>(), tensor.cast<torch::Tensor>());
        load_state_dict(net, dict, "state dict", torchvision_name);  // strict, as train.init_names "torchvision"
      },
      py::arg("network"), py::arg("state_dict"));
  m.def(
      "refine_run",
      [](const std::string& dir, const py::object& scheme, int64_t factor, const std::string& interpolation) {
        TrainedModel trained = load_trained_model(dir);
        auto staged = std::dynamic_pointer_cast<StagedNetworkImpl>(trained.model);
        if (!staged) throw ConfigError(dir + ": the network has no time-stepping stages to refine");
        const auto chosen = scheme.is_none() ? trained.scheme
                                             : std::shared_ptr<const Scheme>(build_scheme(scheme_registry(), from_python(scheme, "scheme"), "scheme", ""));
        refine_network(*staged, *chosen,
                       RefineOptions{factor, depth_interpolation_named(interpolation, "interpolation")});
        return trained.model;
      },
      py::arg("run_dir"), py::arg("scheme") = py::none(), py::arg("factor") = 2, py::arg("interpolation") = "piecewise");
  m.def(
      "refinement_study",
      [](const std::string& dir, const py::object& schemes, const std::vector<int64_t>& factors,
         const std::string& interpolation, int64_t examples) {
        return to_python(to_json(refinement_study(dir, scheme_list(schemes), factors, depth_interpolation_named(interpolation, "interpolation"), examples)));
      },
      py::arg("run_dir"), py::arg("schemes") = py::none(), py::arg("factors") = std::vector<int64_t>{1, 2, 4, 8, 16},
      py::arg("interpolation") = "piecewise", py::arg("examples") = 1000);
  m.def(
      "stability_study",
      [](const std::string& dir, int64_t examples, int iterations) {
        nlohmann::json result;
        {
          py::gil_scoped_release no_gil;  // the Jacobian-vector products run LibTorch's autograd engine
          result = to_json(stability_study(dir, examples, iterations));
        }
        return to_python(result);
      },
      py::arg("run_dir"), py::arg("examples") = 4, py::arg("iterations") = 20);
  m.def("smoothness_study", [](const std::string& dir) { return to_python(to_json(smoothness_study(dir))); },
        py::arg("run_dir"));
  m.def("load_plugin", [](const std::string& path) { load_scheme_plugin(path, scheme_registry()); }, py::arg("path"));
  m.def("loaded_plugins", [] { return loaded_plugins(); });
}
