#include "experiments/step_profile.h"

#if __has_include(<torch/csrc/autograd/profiler_legacy.h>)
#include <torch/csrc/autograd/profiler_legacy.h>
#define ODENET_HAS_RECORD_PROFILE 1
#endif

#include <algorithm>
#include <fstream>
#include <map>

#include "core/error.h"

namespace odenet {

std::vector<OperatorTime> fold_trace(const std::string& trace_path) {
  std::ifstream in(trace_path);
  nlohmann::json trace;
  try {
    trace = nlohmann::json::parse(in);
  } catch (const nlohmann::json::exception&) {
    throw DataError(trace_path + ": not a Chrome trace (malformed JSON)");
  }
  if (trace.is_object() && trace.contains("traceEvents")) trace = trace["traceEvents"];
  if (!trace.is_array()) throw DataError(trace_path + ": not a Chrome trace (no event list)");
  struct Event {
    std::string name, tid;
    double begin, end;
  };
  std::vector<Event> events;
  for (const auto& e : trace)
    if (e.is_object() && e.value("ph", "") == "X" && e.contains("ts") && e.contains("dur"))
      events.push_back({e.value("name", "?"), e.contains("tid") ? e["tid"].dump() : "", e["ts"].get<double>(),
                        e["ts"].get<double>() + e["dur"].get<double>()});
  // Per thread, in start order (longer first at equal starts): a stack of the enclosing events.
  std::sort(events.begin(), events.end(), [](const Event& a, const Event& b) {
    return a.tid != b.tid ? a.tid < b.tid : a.begin != b.begin ? a.begin < b.begin : a.end > b.end;
  });
  std::map<std::string, OperatorTime> by_name;
  std::vector<std::pair<const Event*, double>> stack;  // event, time of its children
  auto close = [&](const Event* e, double children) {
    auto& t = by_name[e->name];
    t.name = e->name;
    t.total_ms += (e->end - e->begin) / 1000.0;
    t.self_ms += std::max(0.0, e->end - e->begin - children) / 1000.0;
    t.calls++;
  };
  for (size_t i = 0; i < events.size(); ++i) {
    const Event& e = events[i];
    while (!stack.empty() && (stack.back().first->tid != e.tid || stack.back().first->end <= e.begin)) {
      auto [done, children] = stack.back();
      stack.pop_back();
      close(done, children);
    }
    if (!stack.empty()) stack.back().second += e.end - e.begin;
    stack.emplace_back(&e, 0.0);
  }
  while (!stack.empty()) {
    close(stack.back().first, stack.back().second);
    stack.pop_back();
  }
  std::vector<OperatorTime> out;
  for (auto& [name, t] : by_name) out.push_back(t);
  std::sort(out.begin(), out.end(), [](const OperatorTime& a, const OperatorTime& b) { return a.self_ms > b.self_ms; });
  return out;
}

std::vector<OperatorTime> profile_steps(Trainer& trainer, int64_t steps, int64_t warmup, const std::string& trace_path) {
#ifdef ODENET_HAS_RECORD_PROFILE
  trainer.measure_throughput(1, warmup);  // warm up outside the trace
  {
    torch::autograd::profiler::RecordProfile record(trace_path);
    trainer.measure_throughput(steps, 0);
  }
  return fold_trace(trace_path);
#else
  throw Error("--profile: this LibTorch build has no legacy profiler (torch/csrc/autograd/profiler_legacy.h)");
#endif
}

}  // namespace odenet
