"""benchmarks/speed_table.py on the measurements speed.sh leaves, for the two kinds of CPU: where
"auto" picks bf16 (native bf16: every round has bf16 rows) and where it picks fp32 (bf16 only in
round 1). Before the table was split out, the bf16-default case died with StopIteration."""
import json
import os
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "benchmarks"))
import speed_table  # noqa: E402


def speed_json(precision, e2e, compute, reason, rounds=None, phases=None, ratio=None):
    row = {"run": "speed_cifar10/x", "precision": precision, "batch_size": 128, "auto_precision": reason,
           "end_to_end_images_per_second": e2e, "compute_images_per_second": compute,
           "compute_rounds": rounds or [compute]}
    if phases:
        row["phase_ms"] = phases
        row["phase_steps"] = 30
    if ratio is not None:
        row["step_time_ratio_to_first"] = ratio
        row["phase_ms_more_than_first"] = {k: 1.0 for k in phases}
    return row


def dump(value, path):
    with open(path, "w") as f:
        json.dump(value, f)


class SpeedTable(unittest.TestCase):
    def write(self, out, rates, chosen, reason, lm_precision):
        with open(os.path.join(out, "rates"), "w") as f:
            f.write("\n".join(rates) + "\n")
        dump([speed_json(chosen, 1000, 1050, reason)], os.path.join(out, "odenet.json"))
        phases = {"forward": 100.0, "backward": 200.0, "update": 1.0, "bookkeeping": 0.5}
        for name in ("lm_cifar10.json", "lm_quickstart.json"):
            dump([speed_json(lm_precision, 0, 1000, reason, [1000, 1010, 990], phases),
                  speed_json(lm_precision, 0, 950, reason, [950, 980, 900], {k: v + 1 for k, v in phases.items()}, 1.04)],
                 os.path.join(out, name))

    def test_bf16_default_every_round(self):
        rates = []
        for r in (1, 2, 3):
            rates += [f"{r}|pytorch|fp32 contiguous|780", f"{r}|pytorch|bf16 channels-last|{1120 + r}",
                      f"{r}|odenet|auto end to end|{1100 + r}", f"{r}|odenet|auto compute only|1150",
                      f"{r}|odenet|compute only fp32|800", f"{r}|odenet|compute only bf16|1150"]
        with tempfile.TemporaryDirectory() as out:
            self.write(out, rates, "bf16", "auto: bf16, this CPU has AVX512-BF16", "bf16")
            table = speed_table.render(out, "cpu", "2", "AMD EPYC")
        self.assertIn('"auto" here: auto: bf16, this CPU has AVX512-BF16.', table)
        self.assertIn("| odenet end to end bf16 (defaults) | 1102 | 0.982 | PyTorch bf16 channels-last (best) |", table)
        self.assertIn("| odenet end to end bf16 | 1102 | 0.958 | odenet compute only bf16 |", table)
        self.assertIn("| odenet compute only fp32 | 800 | 1.000 | odenet compute only fp32 |", table)
        self.assertIn("| odenet compute only bf16 | 1150 | 1.438 | odenet compute only fp32 |", table)
        self.assertIn("| LM-ResNet-20 step time, CIFAR-10 3×32×32, bf16 (compute only, 3 rounds: 1.031–1.100) | 950 "
                      "| 1.040 | pre-activation ResNet-20 step (1000 images/s) |", table)
        self.assertIn("quickstart, Fashion-MNIST 1×28×28", table)
        self.assertIn("| backward | 200.0 | 201.0 | +1.0 |", table)

    def test_fp32_default_with_bf16_in_round_one_only(self):
        rates = ["1|pytorch|bf16 channels-last|15", "1|odenet|compute only bf16|12"]
        for r in (1, 2, 3):
            rates += [f"{r}|pytorch|fp32 contiguous|256", f"{r}|odenet|auto end to end|263",
                      f"{r}|odenet|auto compute only|270", f"{r}|odenet|compute only fp32|270"]
        with tempfile.TemporaryDirectory() as out:
            self.write(out, rates, "fp32", "auto: fp32, this CPU has no native bf16 (no AVX512-BF16 or AMX-BF16)", "fp32")
            os.remove(os.path.join(out, "lm_quickstart.json"))  # no Fashion-MNIST: no quickstart row
            table = speed_table.render(out, "cpu", "2", "AMD EPYC")
        self.assertIn("| PyTorch bf16 channels-last | 15 | 0.059 | PyTorch fp32 contiguous (best) |", table)
        self.assertIn("| odenet compute only bf16, 1 round(s) | 12 | 0.044 | odenet compute only fp32 |", table)
        self.assertIn("| odenet end to end fp32 (defaults) | 263 | 1.027 | PyTorch fp32 contiguous (best) |", table)
        self.assertNotIn("quickstart", table)

    def test_a_variant_that_failed_has_no_row(self):
        rates = ["1|pytorch|fp32 contiguous|256", "1|pytorch|bf16 channels-last|", "1|odenet|auto end to end|263",
                 "1|odenet|auto compute only|270"]
        with tempfile.TemporaryDirectory() as out:
            self.write(out, rates, "fp32", "auto: fp32, ODENET_CPU_BF16=emulated", "fp32")
            table = speed_table.render(out, "cpu", "2", "x")
        self.assertNotIn("PyTorch bf16", table)
        self.assertNotIn("compute only bf16", table)


if __name__ == "__main__":
    unittest.main()
