"""Stage 3 of the zoo recipe (zoo v4): anneal a finished model on more of the same mix.

  /usr/bin/python3 -m zoo.anneal --encoding fire --main zoo/runs/fire --out zoo/runs/fire/anneal

Loads the finished stage-1+2 model (<main>/checkpoint.pt), then trains `steps` more steps
of the stage-2 LM + retrieval mix (zoo/data.py, Batcher; fresh data seed) with a fresh
AdamW: a linear warm-up to `lr`, then a cosine down to the stage-2 floor.  Writes
<out>/checkpoint.pt in the stage-2 format (zoo/export.py reads it), loss.csv and
summary.json.  Resumable: <out>/resume.pt every `ckpt_every` steps; a killed run resumes
to the same result (same seeds, same batches).
"""
import argparse
import json
import math
import os
import time

import torch

from zoo.data import Batcher, load_sp, tokenize_corpus
from zoo.model import build_model
from zoo.train import (MODEL_KEYS, CopyProbe, PasskeyProbe, make_optimizer, open_log,
                       save_atomic, train_step, truncate_csv)

ANNEAL = dict(anneal_steps=600, anneal_lr=6e-4, anneal_warmup=20, anneal_seed=8642)


def anneal_lr(step: int, cfg: dict) -> float:
    """Warm-up (a fresh AdamW has no moment estimates) then cosine to the stage-2 floor."""
    top, warm, n = cfg["anneal_lr"], cfg["anneal_warmup"], cfg["anneal_steps"]
    lo = cfg["lr"] * cfg["min_lr_frac"]
    if step < warm:
        return top * (step + 1) / warm
    prog = min(1.0, (step - warm) / max(1, n - warm))
    return lo + 0.5 * (top - lo) * (1.0 + math.cos(math.pi * prog))


def load_main(main_dir: str):
    ck = torch.load(os.path.join(main_dir, "checkpoint.pt"), map_location="cpu")
    model = build_model(ck["encoding"], **ck["model_kwargs"])
    model.load_state_dict(ck["state_dict"], strict=True)
    return ck, model


def anneal(encoding: str, main_dir: str, out_dir: str, corpus: str, sp_model: str,
           threads: int = 1, steps: int = -1, ckpt_every: int = 50, stop_after: int = 0) -> dict:
    """stop_after > 0: stop after that many steps as if killed (tests of resuming)."""
    torch.set_num_threads(threads)
    os.makedirs(out_dir, exist_ok=True)
    ck, model = load_main(main_dir)
    s2 = ck["summary"]
    cfg = dict(s2["config"], **ANNEAL)
    if steps >= 0:
        cfg["anneal_steps"] = steps
    n, T, B = cfg["anneal_steps"], cfg["train_length"], cfg["batch_size"]
    stream = tokenize_corpus(corpus, sp_model)
    sp = load_sp(sp_model)
    batcher = Batcher(stream, sp, T, B, seed=cfg["anneal_seed"], passkey_frac=cfg["passkey_frac"],
                      retrieval_frac=cfg["retrieval_frac"], full_frac=cfg["retrieval_full_frac"])
    torch.manual_seed(cfg["anneal_seed"])
    model.train()
    opt = make_optimizer(model, cfg)
    start, elapsed0 = 0, 0.0
    resume_path = os.path.join(out_dir, "resume.pt")
    if os.path.exists(resume_path):
        st = torch.load(resume_path, map_location="cpu")
        if st["config"] != cfg:
            raise SystemExit(f"{resume_path}: written for another config; delete it to start over")
        model.load_state_dict(st["model"])
        opt.load_state_dict(st["opt"])
        batcher.load_state(st["data"])
        start, elapsed0 = st["step"], st["seconds"]
        print(f"[{encoding}] anneal resuming at step {start}", flush=True)
    csv_path = os.path.join(out_dir, "loss.csv")
    if start:
        truncate_csv(csv_path, start)
    fcsv, w = open_log(csv_path, ["step", "tokens", "loss", "lr", "seconds", "stage"], start > 0)
    t0 = time.perf_counter() - elapsed0
    acc, acc_n, last = 0.0, 0, float("nan")
    for step in range(start, n):
        loss = train_step(model, opt, torch.from_numpy(batcher.next()), anneal_lr(step, cfg), cfg)
        acc, acc_n, done = acc + loss, acc_n + 1, step + 1
        if done % 10 == 0 or done == n:
            last = acc / acc_n
            w.writerow([done, done * B * T, f"{last:.5f}", f"{anneal_lr(step, cfg):.6g}",
                        f"{time.perf_counter() - t0:.1f}", "anneal"])
            fcsv.flush()
            acc, acc_n = 0.0, 0
        if done % ckpt_every == 0 and done % 10 == 0 and done < n:
            save_atomic({"model": model.state_dict(), "opt": opt.state_dict(),
                         "data": batcher.state(), "step": done, "config": cfg,
                         "seconds": time.perf_counter() - t0}, resume_path)
        if stop_after and done - start >= stop_after and done < n:
            fcsv.close()
            return {"stopped_at": done}
    fcsv.close()
    el = time.perf_counter() - t0
    probe = PasskeyProbe(sp, stream, T)
    summary = dict(s2)
    summary.update({
        "steps": s2["steps"] + n, "anneal_steps": n,
        "train_tokens": s2["train_tokens"] + n * B * T,
        "seconds": round(s2["seconds"] + el, 1), "anneal_seconds": round(el, 1),
        "tokens_per_second": round(n * B * T / max(el, 1e-9), 1),
        "final_train_loss": round(last, 5),
        "final_passkey_probe": probe.exact_match(model),
        "final_copy_probe": CopyProbe(cfg["vocab_size"], T).accuracy(model),
        "config": {k: (list(v) if isinstance(v, tuple) else v) for k, v in cfg.items()},
    })
    save_atomic({"state_dict": model.state_dict(), "encoding": encoding,
                 "model_kwargs": {k: cfg[k] for k in MODEL_KEYS}, "summary": summary},
                os.path.join(out_dir, "checkpoint.pt"))
    with open(os.path.join(out_dir, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1)
    if os.path.exists(resume_path):
        os.remove(resume_path)
    print(f"[{encoding}] anneal done: loss {last:.4f}, {el:.0f}s, passkey probe "
          f"{summary['final_passkey_probe']:.3f}", flush=True)
    return summary


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--encoding", required=True)
    ap.add_argument("--main", required=True, help="stage-2 run dir holding checkpoint.pt")
    ap.add_argument("--out", required=True)
    ap.add_argument("--corpus", default="build/data/corpora/train")
    ap.add_argument("--sp", default="data/tokenizer/lengen-4096.model")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--steps", type=int, default=-1)
    a = ap.parse_args()
    anneal(a.encoding, a.main, a.out, a.corpus, a.sp, a.threads, a.steps)


if __name__ == "__main__":
    main()
