"""Train one zoo model (one position encoding) on the lengen `train` split.

  LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4 \
  /usr/bin/python3 -m zoo.train --encoding alibi [--tokens 6000000]

Identical architecture / optimizer / schedule / token budget / data order for every
encoding (the data RNG seed does not depend on the encoding; the init seed neither,
so every model sees exactly the same batches).  Writes
  zoo/runs/<enc>/loss.csv        step,tokens,loss,lr,seconds  (committed)
  zoo/runs/<enc>/checkpoint.pt   final weights + config  (not committed)
  zoo/runs/<enc>/summary.json    budget, tokens/s, final loss (committed)
"""
import argparse
import csv
import json
import math
import os
import time

import numpy as np
import torch

from zoo.data import Batcher, load_sp, tokenize_corpus
from zoo.model import build_model, count_params

DEFAULTS = dict(
    vocab_size=4096, d_model=128, n_layers=2, n_heads=4, train_length=512,
    batch_size=16, lr=2e-3, min_lr_frac=0.1, warmup_frac=0.05, weight_decay=0.1,
    betas=(0.9, 0.95), grad_clip=1.0, seed=1234, data_seed=5678, passkey_frac=0.05,
)
MODEL_KEYS = ("vocab_size", "d_model", "n_layers", "n_heads", "train_length")


def lr_at(step: int, total: int, cfg: dict) -> float:
    warm = max(1, int(round(cfg["warmup_frac"] * total)))
    if step < warm:
        return cfg["lr"] * (step + 1) / warm
    prog = min(1.0, (step - warm) / max(1, total - warm))
    lo = cfg["lr"] * cfg["min_lr_frac"]
    return lo + 0.5 * (cfg["lr"] - lo) * (1.0 + math.cos(math.pi * prog))


def make_optimizer(model: torch.nn.Module, cfg: dict) -> torch.optim.Optimizer:
    decay, no_decay = [], []
    for name, p in model.named_parameters():
        # weight decay on matrices of the transformer body only (embeddings included),
        # not on LayerNorm gains/biases nor on position-encoding parameters
        if p.dim() >= 2 and not name.startswith("pos."):
            decay.append(p)
        else:
            no_decay.append(p)
    return torch.optim.AdamW([
        {"params": decay, "weight_decay": cfg["weight_decay"]},
        {"params": no_decay, "weight_decay": 0.0},
    ], lr=cfg["lr"], betas=cfg["betas"])


def train(encoding: str, tokens: int, out_dir: str, corpus: str, sp_model: str,
          threads: int = 2, log_every: int = 10, max_seconds: float = 0.0,
          batch_size: int = 0) -> dict:
    cfg = dict(DEFAULTS)
    if batch_size:
        cfg["batch_size"] = batch_size
    torch.set_num_threads(threads)
    os.makedirs(out_dir, exist_ok=True)
    T, B = cfg["train_length"], cfg["batch_size"]
    total_steps = max(1, tokens // (B * T))

    stream = tokenize_corpus(corpus, sp_model)
    sp = load_sp(sp_model)
    batcher = Batcher(stream, sp, T, B, seed=cfg["data_seed"], passkey_frac=cfg["passkey_frac"])

    torch.manual_seed(cfg["seed"])
    model = build_model(encoding, **{k: cfg[k] for k in MODEL_KEYS})
    model.train()
    opt = make_optimizer(model, cfg)
    n_params = count_params(model)
    print(f"[{encoding}] params={n_params} stream_tokens={len(stream)} steps={total_steps} "
          f"B={B} T={T} budget={total_steps * B * T}", flush=True)

    csv_path = os.path.join(out_dir, "loss.csv")
    fcsv = open(csv_path, "w", newline="")
    w = csv.writer(fcsv)
    w.writerow(["step", "tokens", "loss", "lr", "seconds"])
    t0 = time.perf_counter()
    acc, acc_n = 0.0, 0
    last_loss = float("nan")
    ema = None
    step = 0
    for step in range(total_steps):
        lr = lr_at(step, total_steps, cfg)
        for g in opt.param_groups:
            g["lr"] = lr
        x = torch.from_numpy(batcher.next())
        logits = model(x[:, :-1])
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.size(-1)),
                                                 x[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), cfg["grad_clip"])
        opt.step()
        lv = float(loss)
        acc += lv
        acc_n += 1
        ema = lv if ema is None else 0.98 * ema + 0.02 * lv
        if (step + 1) % log_every == 0 or step + 1 == total_steps:
            el = time.perf_counter() - t0
            last_loss = acc / acc_n
            w.writerow([step + 1, (step + 1) * B * T, f"{last_loss:.5f}", f"{lr:.6g}", f"{el:.1f}"])
            fcsv.flush()
            acc, acc_n = 0.0, 0
            if (step + 1) % (log_every * 10) == 0 or step + 1 == total_steps:
                print(f"[{encoding}] step {step + 1}/{total_steps} loss {last_loss:.4f} "
                      f"lr {lr:.2e} {((step + 1) * B * T) / el:.0f} tok/s {el:.0f}s", flush=True)
        if max_seconds and time.perf_counter() - t0 > max_seconds:
            break
    fcsv.close()
    el = time.perf_counter() - t0
    steps_done = step + 1
    summary = {
        "encoding": encoding, "params": n_params, "steps": steps_done,
        "train_tokens": steps_done * B * T, "seconds": round(el, 1),
        "tokens_per_second": round(steps_done * B * T / el, 1),
        "final_train_loss": round(last_loss, 5), "final_train_loss_ema": round(ema, 5),
        "passkey_sequences": batcher.n_passkey, "sequences": batcher.n_seq,
        "config": {k: (list(v) if isinstance(v, tuple) else v) for k, v in cfg.items()},
        "torch": torch.__version__, "threads": threads,
    }
    ck = os.path.join(out_dir, "checkpoint.pt")
    torch.save({"state_dict": model.state_dict(), "encoding": encoding,
                "model_kwargs": {k: cfg[k] for k in MODEL_KEYS}, "summary": summary}, ck + ".tmp")
    os.replace(ck + ".tmp", ck)
    with open(os.path.join(out_dir, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1)
    print(f"[{encoding}] done: {json.dumps({k: summary[k] for k in ('train_tokens', 'seconds', 'tokens_per_second', 'final_train_loss')})}", flush=True)
    return summary


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--encoding", required=True)
    ap.add_argument("--tokens", type=int, default=6_000_000)
    ap.add_argument("--out", default="")
    ap.add_argument("--corpus", default="build/data/corpora/train")
    ap.add_argument("--sp", default="data/tokenizer/lengen-4096.model")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--max-seconds", type=float, default=0.0)
    ap.add_argument("--batch-size", type=int, default=0)
    a = ap.parse_args()
    out = a.out or os.path.join("zoo", "runs", a.encoding)
    train(a.encoding, a.tokens, out, a.corpus, a.sp, a.threads, max_seconds=a.max_seconds,
          batch_size=a.batch_size)


if __name__ == "__main__":
    main()
