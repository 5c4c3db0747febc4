"""The perplexity script a user would otherwise write: load the TorchScript
model, run each window, take cross-entropy, average. Times it on exactly the
windows that lengen_bench dumped, and prints seconds and mean NLL so that
bench/run_bench.sh can put it beside lengen's numbers.

Usage: /usr/bin/python3 bench/ppl_reference.py MODEL WINDOWS_FILE THREADS [REPEATS [DEVICE]]
"""
import sys
import time

import torch
import torch.nn.functional as F


def main() -> None:
    model_path, windows_path, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
    repeats = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    device = torch.device(sys.argv[5] if len(sys.argv) > 5 else "cpu")
    torch.set_num_threads(threads)
    n, length = (int(x) for x in open(windows_path + ".shape").read().split())
    windows = torch.from_file(windows_path, size=n * length, dtype=torch.int64).view(n, length)
    model = torch.jit.load(model_path, map_location=device).float().eval()
    if hasattr(model, "set_eval_length"):
        model.set_eval_length(length)
    best, total, mean_nll = float("inf"), 0.0, 0.0
    for _ in range(repeats):
        start = time.perf_counter()
        nll_sum, count = 0.0, 0
        with torch.no_grad():
            for i in range(n):
                x = windows[i : i + 1].to(device)
                logits = model(x)
                loss = F.cross_entropy(logits[0, :-1].float(), x[0, 1:], reduction="sum")
                nll_sum += loss.item()
                count += length - 1
        elapsed = time.perf_counter() - start
        best, total, mean_nll = min(best, elapsed), total + elapsed, nll_sum / count
    print(f"  python script best {best:.3f} s  mean {total / repeats:.3f} s  "
          f"({n * length / best:.0f} tok/s)  mean NLL {mean_nll:.6f}")
    print(f"PYTHON_BEST {best:.6f}")


if __name__ == "__main__":
    main()
