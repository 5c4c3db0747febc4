"""Train and export the whole zoo, sequentially and resumably.

  LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4 \
  /usr/bin/python3 -m zoo.train_all [--tokens 6000000] [--only fire,alibi] [--threads 1]

An encoding whose finished checkpoint (zoo/runs/<enc>/checkpoint.pt) exists is not
retrained, and one whose stage 3 (zoo/anneal.py, zoo/runs/<enc>/anneal/) has finished is
not annealed again; each encoding is exported to zoo/models/ as soon as its training finishes
(rope also yields rope-pi, rope-ntk and rope-yarn), so partial progress is usable.
An interrupted training resumes from zoo/runs/<enc>/resume.pt (same seeds, same result).
Every training and every export runs in its own subprocess, so each one uses the code
on disk when it starts (TorchScript compiles from the source files, and a long-lived
process whose modules were edited underneath would script mismatched code).
"""
import argparse
import os
import subprocess
import sys
import time

from zoo.anneal import ANNEAL
from zoo.export import final_checkpoint

# most informative first, so that a partial run is already useful
ORDER = ["alibi", "fire", "rope", "nope", "t5", "kerple", "fire-s", "sinusoidal"]
EXPORTS = {"rope": ["rope", "rope-pi", "rope-ntk", "rope-yarn"]}
DEFAULT_TOKENS = 4_000_000  # main stage; the copy curriculum comes on top (zoo v3)


def run(args) -> None:
    print("[train_all] $ " + " ".join(args), flush=True)
    subprocess.run([sys.executable, "-m"] + args, check=True)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tokens", type=int, default=int(os.environ.get("ZOO_TOKENS", DEFAULT_TOKENS)))
    ap.add_argument("--only", default="")
    ap.add_argument("--runs", default="zoo/runs")
    ap.add_argument("--models", default="zoo/models")
    ap.add_argument("--corpus", default="build/data/corpora/train")
    ap.add_argument("--sp", default="data/tokenizer/lengen-4096.model")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--probe-every", type=int, default=250)
    ap.add_argument("--anneal-steps", type=int, default=ANNEAL["anneal_steps"],
                    help="stage 3 steps (zoo/anneal.py); 0 runs none (a finished one is still exported)")
    a = ap.parse_args()
    todo = [e for e in ORDER if not a.only or e in a.only.split(",")]
    t0 = time.time()
    for enc in todo:
        run_dir = os.path.join(a.runs, enc)
        ck = os.path.join(run_dir, "checkpoint.pt")
        if os.path.exists(ck):
            print(f"[train_all] {enc}: checkpoint exists, not retraining", flush=True)
        else:
            print(f"[train_all] {enc}: training {a.tokens} tokens", flush=True)
            run(["zoo.train", "--encoding", enc, "--tokens", str(a.tokens), "--out", run_dir,
                 "--corpus", a.corpus, "--sp", a.sp, "--threads", str(a.threads),
                 "--probe-every", str(a.probe_every)])
        final = os.path.join(run_dir, "anneal", "checkpoint.pt")
        if a.anneal_steps and not os.path.exists(final):
            run(["zoo.anneal", "--encoding", enc, "--main", run_dir, "--out",
                 os.path.join(run_dir, "anneal"), "--corpus", a.corpus, "--sp", a.sp,
                 "--threads", str(a.threads), "--steps", str(a.anneal_steps)])
        ck = final_checkpoint(a.runs, enc)
        names = []
        for name in EXPORTS.get(enc, [enc]):
            path = os.path.join(a.models, name + ".pt")
            if os.path.exists(path) and os.path.getmtime(path) >= os.path.getmtime(ck):
                print(f"[train_all] {name}: {path} up to date", flush=True)
            else:
                names.append(name)
        if names:
            args = ["zoo.export", "--runs", a.runs, "--out", a.models]
            for n in names:
                args += ["--encoding", n]
            run(args)
        print(f"[train_all] {enc}: done at {time.time() - t0:.0f}s", flush=True)
    print("[train_all] all done", flush=True)


if __name__ == "__main__":
    main()
