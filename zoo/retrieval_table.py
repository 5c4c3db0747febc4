"""The zoo's retrieval table (zoo/README.md) from a `lengen tasks` run directory.

  /usr/bin/python3 -m zoo.retrieval_table RUN_DIR [RUN_DIR ...] [--length 512] [--target 0.9]

Reads RUN_DIR/tasks.csv (one row per model x task x length x depth; several runs, e.g.
two sample seeds, are pooled) and prints, per model, passkey exact match by depth,
pooled passkey and niah exact match as k/n with Wilson 95% intervals, and ranking accuracy; then how many models meet the issue's
target (pooled passkey exact match >= target at the length).  Counts are pooled as
k = round(rate * n) per cell, so the table is exactly what the cells measured.
"""
import argparse
import csv
import math
import os
from collections import defaultdict
from typing import Dict, List, Tuple


def wilson(k: int, n: int, z: float = 1.959964) -> Tuple[float, float]:
    if n == 0:
        return float("nan"), float("nan")
    p = k / n
    den = 1 + z * z / n
    mid = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return max(0.0, mid - half), min(1.0, mid + half)


def load(run_dirs, length: int) -> Dict[Tuple[str, str], List[dict]]:
    """{(model, task): ok rows at `length`} of one run directory or a list of them."""
    cells: Dict[Tuple[str, str], List[dict]] = defaultdict(list)
    for run_dir in [run_dirs] if isinstance(run_dirs, str) else run_dirs:
        with open(os.path.join(run_dir, "tasks.csv")) as f:
            for row in csv.DictReader(f):
                if row["status"] == "ok" and int(row["length"]) == length:
                    cells[(row["model"], row["task"])].append(row)
    return cells


def pooled(rows: List[dict], metric: str) -> Tuple[int, int]:
    k = sum(round(float(r[metric]) * int(r["n"])) for r in rows)
    return k, sum(int(r["n"]) for r in rows)


def fmt_rate(k: int, n: int) -> str:
    lo, hi = wilson(k, n)
    return f"{k}/{n} = {k / n:.3f} [{lo:.2f}, {hi:.2f}]" if n else "-"


def fmt_share(k: int, n: int) -> str:
    return f"{k / n:.2f}" if n else "-"


def table(cells, target: float) -> List[str]:
    models = sorted({m for m, _ in cells})
    depths = sorted({float(r["depth"]) for rows in cells.values() for r in rows})
    head = "| model | passkey EM by depth " + "/".join(f"{d:g}" for d in depths) + \
        " | passkey EM (pooled, Wilson 95%) | passkey acc | niah EM (pooled) | niah acc |"
    out = [head, "|" + " --- |" * 6]
    met = []
    for m in models:
        pk = cells.get((m, "passkey"), [])
        nh = cells.get((m, "niah"), [])
        at = [pooled([r for r in pk if float(r["depth"]) == d], "exact_match") for d in depths]
        by_depth = " / ".join(fmt_share(dk, dn) for dk, dn in at)
        k, n = pooled(pk, "exact_match")
        ak, an = pooled(pk, "accuracy")
        nk, nn = pooled(nh, "exact_match")
        bk, bn = pooled(nh, "accuracy")
        if n and k / n >= target:
            met.append(m)
        out.append(f"| {m} | {by_depth} | {fmt_rate(k, n)} | {fmt_share(ak, an)} | "
                   f"{fmt_rate(nk, nn)} | {fmt_share(bk, bn)} |")
    out.append("")
    out.append(f"passkey EM >= {target}: {len(met)} of {len(models)} models ({', '.join(met)})")
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("run_dir", nargs="+")
    ap.add_argument("--length", type=int, default=512)
    ap.add_argument("--target", type=float, default=0.9)
    a = ap.parse_args()
    print("\n".join(table(load(a.run_dir, a.length), a.target)))


if __name__ == "__main__":
    main()
