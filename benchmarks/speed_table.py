#!/usr/bin/env python3
"""The table benchmarks/speed.sh prints, from the measurements it leaves in one directory:

  rates              round|who|name|images/s lines: PyTorch's variants ("pytorch|bf16 channels-last"),
                     odenet's defaults ("odenet|auto end to end", "odenet|auto compute only") and its
                     explicit precisions ("odenet|compute only fp32", "odenet|compute only bf16")
  odenet.json        the last `odenet speed --json` of ResNet-20 under the defaults (what "auto" chose, and why)
  lm_<shapes>.json   `odenet speed --run LM BASE --mode compute --phases --json` per data set's shapes

Every ratio pairs measurements of the same round (this machine's speed drifts between rounds).

  speed_table.py DIR DEVICE THREADS CPU_MODEL
"""
import json
import os
import statistics
import sys

# The LM comparisons, in the order printed: file, data set shapes, and the name of the base network.
LM_COMPARISONS = [
    ("lm_cifar10.json", "CIFAR-10 3×32×32", "pre-activation ResNet-20"),
    ("lm_quickstart.json", "quickstart, Fashion-MNIST 1×28×28", "ResNet-20"),
]


def median(values):
    return statistics.median(values)


def paired(a, b):
    """Median over the rounds both were measured in of a / b."""
    common = [r for r in a if r in b]
    if not common:
        raise ValueError("no round measured both")
    return median([a[r] / b[r] for r in common])


def read_json(path):
    with open(path) as f:
        return json.load(f)


def read_rates(path):
    rates = {}
    with open(path) as f:
        lines = f.read().splitlines()
    for line in lines:
        if not line.strip():
            continue
        rnd, who, name, rate = line.strip().split("|")
        if rate:  # a variant that printed no rate (it failed) has no row
            rates.setdefault((who, name), {})[int(rnd)] = float(rate)
    return rates


def render(out, device, threads, cpu):
    rates = read_rates(os.path.join(out, "rates"))
    defaults = read_json(os.path.join(out, "odenet.json"))[0]
    chosen = defaults["precision"]
    lines = [f"## Training speed, ResNet-20, batch {defaults['batch_size']}, {device}, {threads} thread(s), {cpu}", ""]
    lines.append(f"odenet's train.precision \"auto\" here: {defaults['auto_precision']}.")
    lines += ["", "| measurement | images/s (median) | ratio | against |", "|---|---:|---:|---|"]
    pytorch = {n: r for (w, n), r in rates.items() if w == "pytorch"}
    best = max(pytorch, key=lambda n: median(pytorch[n].values()))
    for n, r in sorted(pytorch.items(), key=lambda kv: -median(kv[1].values())):
        lines.append(f"| PyTorch {n} | {median(r.values()):.0f} | {paired(r, pytorch[best]):.3f} | PyTorch {best} (best) |")
    e2e, comp = rates[("odenet", "auto end to end")], rates[("odenet", "auto compute only")]
    lines.append(f"| odenet end to end {chosen} (defaults) | {median(e2e.values()):.0f} | {paired(e2e, pytorch[best]):.3f} "
                 f"| PyTorch {best} (best) |")
    lines.append(f"| odenet end to end {chosen} | {median(e2e.values()):.0f} | {paired(e2e, comp):.3f} "
                 f"| odenet compute only {chosen} |")
    fp32, bf16 = rates.get(("odenet", "compute only fp32")), rates.get(("odenet", "compute only bf16"))
    if fp32:
        lines.append(f"| odenet compute only fp32 | {median(fp32.values()):.0f} | 1.000 | odenet compute only fp32 |")
    if fp32 and bf16:
        rounds = f", {len(bf16)} round(s)" if len(bf16) < len(fp32) else ""
        lines.append(f"| odenet compute only bf16{rounds} | {median(bf16.values()):.0f} | {paired(bf16, fp32):.3f} "
                     f"| odenet compute only fp32 |")
    phases = []
    for name, shapes, base in LM_COMPARISONS:
        path = os.path.join(out, name)
        if not os.path.exists(path):
            continue
        pre, lm = read_json(path)
        per_round = sorted(a / b for a, b in zip(pre["compute_rounds"], lm["compute_rounds"]))
        lines.append(f"| LM-ResNet-20 step time, {shapes}, {lm['precision']} (compute only, {len(per_round)} rounds: "
                     f"{per_round[0]:.3f}–{per_round[-1]:.3f}) | {lm['compute_images_per_second']:.0f} "
                     f"| {lm['step_time_ratio_to_first']:.3f} | {base} step ({pre['compute_images_per_second']:.0f} images/s) |")
        if "phase_ms" in lm:
            phases += ["", f"Where LM-ResNet-20's step time goes on {shapes} ({lm['precision']}), median ms per step "
                           f"over {lm['phase_steps']} compute-only steps:", "",
                       f"| phase | {base} | LM-ResNet-20 | difference |", "|---|---:|---:|---:|"]
            for phase in ("forward", "backward", "update", "bookkeeping"):
                phases.append(f"| {phase} | {pre['phase_ms'][phase]:.1f} | {lm['phase_ms'][phase]:.1f} "
                              f"| {lm['phase_ms_more_than_first'][phase]:+.1f} |")
    return "\n".join(lines + phases) + "\n"


def main():
    out, device, threads, cpu = sys.argv[1:5]
    sys.stdout.write("\n" + render(out, device, threads, cpu))


if __name__ == "__main__":
    main()
