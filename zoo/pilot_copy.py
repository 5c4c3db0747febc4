"""Pilot for the zoo v2 recipe: can the zoo's architecture learn induction (copying)
within this machine's budget, and after how many steps?

Trains on pure copy data (random spans of 8..64 train tokens repeated back to back,
zoo.data.copy_example) and reports every 250 steps the copy accuracy on 16 held-out
sequences of a 20-token span (greedy next-token accuracy after the first 40 tokens,
where only copying can predict).  Chance is about the unigram hit rate (~0.05).
bf16 autocast as in zoo/train.py; resumable from <out>/ckpt.pt (kill and re-run).

  /usr/bin/python3 -m zoo.pilot_copy --encoding alibi --steps 3000 --batch 8 --out /tmp/pilot
"""
import argparse
import json
import os
import time

import numpy as np
import torch

from zoo.data import copy_example, tokenize_corpus
from zoo.model import build_model


def copy_accuracy(model, ev: torch.Tensor) -> float:
    model.eval()
    with torch.no_grad():
        pred = model(ev[:, :-1]).argmax(-1)
    model.train()
    return float((pred[:, 40:] == ev[:, 41:]).float().mean())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--encoding", default="alibi")
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--out", required=True)
    ap.add_argument("--corpus", default="build/data/corpora/train")
    ap.add_argument("--sp", default="data/tokenizer/lengen-4096.model")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    stream = tokenize_corpus(a.corpus, a.sp)
    model = build_model(a.encoding, vocab_size=4096, d_model=128, n_layers=a.layers, n_heads=4,
                        train_length=512)
    opt = torch.optim.AdamW(model.parameters(), lr=a.lr, betas=(0.9, 0.95), weight_decay=0.1)
    rng = np.random.default_rng(1)
    start = 0
    ckpt = os.path.join(a.out, "ckpt.pt")
    if os.path.exists(ckpt):
        st = torch.load(ckpt)
        model.load_state_dict(st["model"])
        opt.load_state_dict(st["opt"])
        rng.bit_generator.state = st["rng"]
        start = st["step"]
    eval_rng = np.random.default_rng(99)
    ev = torch.tensor([copy_example(stream, 512, eval_rng, 20, 20) for _ in range(16)])
    t0 = time.time()
    for step in range(start, a.steps):
        for g in opt.param_groups:  # linear warmup over 100 steps, then constant
            g["lr"] = a.lr * min(1.0, (step + 1) / 100)
        x = torch.tensor([copy_example(stream, 512, rng) for _ in range(a.batch)])
        with torch.autocast("cpu", dtype=torch.bfloat16):
            logits = model(x[:, :-1])
        loss = torch.nn.functional.cross_entropy(logits.float().reshape(-1, 4096),
                                                 x[:, 1:].reshape(-1))
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        if (step + 1) % 250 == 0:
            print(json.dumps({"step": step + 1, "loss": round(loss.item(), 3),
                              "copy_acc": round(copy_accuracy(model, ev), 3),
                              "seconds": round(time.time() - t0)}), flush=True)
            torch.save({"model": model.state_dict(), "opt": opt.state_dict(),
                        "rng": rng.bit_generator.state, "step": step + 1}, ckpt + ".tmp")
            os.replace(ckpt + ".tmp", ckpt)


if __name__ == "__main__":
    main()
