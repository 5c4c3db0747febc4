"""Train one zoo model (one position encoding) on the lengen `train` split.

  LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4 \
  /usr/bin/python3 -m zoo.train --encoding alibi [--tokens 6000000]

Identical architecture / optimizer / schedule / token budget / data order for every
encoding (the data RNG seed does not depend on the encoding; the init seed neither,
so every model sees exactly the same batches).  Writes
  zoo/runs/<enc>/loss.csv        step,tokens,loss,lr,seconds  (committed)
  zoo/runs/<enc>/probe.csv       step,passkey_exact: greedy passkey exact match at T=512
                                 on 32 fixed train-text prompts (committed)
  zoo/runs/<enc>/resume.pt       weights, optimizer, data-RNG state every --ckpt-every
                                 steps: a killed run restarted with the same arguments
                                 continues from it and reaches the same result
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

from zoo.data import (PASSKEY_QUESTION, Batcher, load_sp, passkey_example,
                      tokenize_corpus)
from zoo.model import build_model, count_params

DEFAULTS = dict(
    vocab_size=4096, d_model=128, n_layers=2, n_heads=4, train_length=512,
    batch_size=16, lr=2e-3, min_lr_frac=0.1, warmup_frac=0.05, weight_decay=0.1,
    betas=(0.9, 0.95), grad_clip=1.0, seed=1234, data_seed=5678, passkey_frac=0.05,
    retrieval_frac=0.5, autocast="bfloat16",
)
PROBE_SEED = 97531
PROBE_SAMPLES = 32
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


class PasskeyProbe:
    """Greedy passkey exact match at the training length on fixed prompts of train text
    (a training-time signal only; lengen tasks on held-out text is the measurement)."""

    def __init__(self, sp, stream, T: int):
        rng = np.random.default_rng(PROBE_SEED)
        prompts, keys = [], []
        q_len = len(sp.encode(PASSKEY_QUESTION.format(key=12345)))
        prefix_len = len(sp.encode(PASSKEY_QUESTION.split("{key}")[0].strip()))
        for _ in range(PROBE_SAMPLES):
            toks, key = passkey_example(sp, stream, T, rng)
            # drop the answer: the prompt ends with "... The pass key is"
            prompts.append(toks[:T - (q_len - prefix_len)])
            keys.append(toks[T - (q_len - prefix_len):])
        self.prompts = torch.tensor(prompts, dtype=torch.int64)
        self.answers = torch.tensor(keys, dtype=torch.int64)

    @torch.no_grad()
    def exact_match(self, model: torch.nn.Module) -> float:
        was_training = model.training
        model.eval()
        x = self.prompts
        for _ in range(self.answers.size(1)):
            nxt = model(x)[:, -1].argmax(-1, keepdim=True)
            x = torch.cat([x, nxt], dim=1)
        got = x[:, self.prompts.size(1):]
        model.train(was_training)
        return float((got == self.answers).all(dim=1).float().mean())


def save_atomic(obj, path: str) -> None:
    torch.save(obj, path + ".tmp")
    os.replace(path + ".tmp", path)


def truncate_csv(path: str, step: int) -> None:
    """Keep the header and the rows with step <= `step` (rows logged after the last
    resume point are recomputed identically)."""
    if not os.path.exists(path):
        return
    with open(path) as f:
        rows = list(csv.reader(f))
    keep = [rows[0]] + [r for r in rows[1:] if r and int(r[0]) <= step]
    with open(path, "w", newline="") as f:
        csv.writer(f).writerows(keep)


def open_log(path: str, header, resume: bool):
    f = open(path, "a" if resume else "w", newline="")
    w = csv.writer(f)
    if not resume:
        w.writerow(header)
    return f, w


def train(encoding: str, tokens: int, out_dir: str, corpus: str, sp_model: str,
          threads: int = 2, log_every: int = 10, max_seconds: float = 0.0,
          batch_size: int = 0, ckpt_every: int = 50, probe_every: int = 100,
          retrieval_frac: float = -1.0, stop_after: int = 0) -> dict:
    """stop_after > 0: stop after that many steps as if killed (tests of resuming)."""
    cfg = dict(DEFAULTS)
    if batch_size:
        cfg["batch_size"] = batch_size
    if retrieval_frac >= 0:
        cfg["retrieval_frac"] = retrieval_frac
    torch.set_num_threads(threads)
    os.makedirs(out_dir, exist_ok=True)
    T, B = cfg["train_length"], cfg["batch_size"]
    total_steps = max(1, tokens // (B * T))

    stream = tokenize_corpus(corpus, sp_model)
    sp = load_sp(sp_model)
    batcher = Batcher(stream, sp, T, B, seed=cfg["data_seed"], passkey_frac=cfg["passkey_frac"],
                      retrieval_frac=cfg["retrieval_frac"])
    probe = PasskeyProbe(sp, stream, T)

    torch.manual_seed(cfg["seed"])
    model = build_model(encoding, **{k: cfg[k] for k in MODEL_KEYS})
    model.train()
    opt = make_optimizer(model, cfg)
    n_params = count_params(model)

    resume_path = os.path.join(out_dir, "resume.pt")
    start_step, elapsed0, ema = 0, 0.0, None
    if os.path.exists(resume_path):
        st = torch.load(resume_path, map_location="cpu")
        if st["total_steps"] != total_steps or st["config"] != cfg:
            raise SystemExit(f"{resume_path}: written for another budget or config; "
                             "delete it to start over")
        model.load_state_dict(st["model"])
        opt.load_state_dict(st["opt"])
        batcher.load_state(st["batcher"])
        start_step, elapsed0, ema = st["step"], st["seconds"], st["ema"]
        print(f"[{encoding}] resuming at step {start_step}", flush=True)
    print(f"[{encoding}] params={n_params} stream_tokens={len(stream)} steps={total_steps} "
          f"B={B} T={T} budget={total_steps * B * T} retrieval_frac={cfg['retrieval_frac']}",
          flush=True)

    csv_path = os.path.join(out_dir, "loss.csv")
    probe_path = os.path.join(out_dir, "probe.csv")
    resume = start_step > 0
    if resume:
        truncate_csv(csv_path, start_step)
        truncate_csv(probe_path, start_step)
    fcsv, w = open_log(csv_path, ["step", "tokens", "loss", "lr", "seconds"], resume)
    fprobe, wp = open_log(probe_path, ["step", "passkey_exact"], resume)
    t0 = time.perf_counter() - elapsed0
    acc, acc_n = 0.0, 0
    last_loss = float("nan")
    step = start_step - 1
    for step in range(start_step, total_steps):
        lr = lr_at(step, total_steps, cfg)
        for g in opt.param_groups:
            g["lr"] = lr
        x = torch.from_numpy(batcher.next())
        # bfloat16 autocast: matmuls on the CPU's bf16 units (1.6x the fp32 step here),
        # master weights, optimizer and loss in float32
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=cfg["autocast"] == "bfloat16"):
            logits = model(x[:, :-1])
        loss = torch.nn.functional.cross_entropy(logits.float().reshape(-1, logits.size(-1)),
                                                 x[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), cfg["grad_clip"])
        opt.step()
        lv = float(loss)
        acc += lv
        acc_n += 1
        ema = lv if ema is None else 0.98 * ema + 0.02 * lv
        done = step + 1
        if done % log_every == 0 or done == total_steps:
            el = time.perf_counter() - t0
            last_loss = acc / acc_n
            w.writerow([done, done * B * T, f"{last_loss:.5f}", f"{lr:.6g}", f"{el:.1f}"])
            fcsv.flush()
            acc, acc_n = 0.0, 0
            if done % (log_every * 10) == 0 or done == total_steps:
                print(f"[{encoding}] step {done}/{total_steps} loss {last_loss:.4f} "
                      f"lr {lr:.2e} {((done - start_step) * B * T) / (el - elapsed0):.0f} tok/s "
                      f"{el:.0f}s", flush=True)
        if done % probe_every == 0 or done == total_steps:
            em = probe.exact_match(model)
            wp.writerow([done, f"{em:.4f}"])
            fprobe.flush()
            print(f"[{encoding}] step {done} passkey probe exact match {em:.3f}", flush=True)
        # resume points sit on log boundaries, so the loss accumulator is empty there
        if done % ckpt_every == 0 and done % log_every == 0 and done < total_steps:
            save_atomic({"model": model.state_dict(), "opt": opt.state_dict(),
                         "batcher": batcher.state(), "step": done, "ema": ema,
                         "seconds": time.perf_counter() - t0, "total_steps": total_steps,
                         "config": cfg}, resume_path)
        if stop_after and done - start_step >= stop_after and done < total_steps:
            fcsv.close()
            fprobe.close()
            return {"stopped_at": done}
        if max_seconds and time.perf_counter() - t0 > max_seconds:
            break
    fcsv.close()
    fprobe.close()
    el = time.perf_counter() - t0
    steps_done = step + 1
    summary = {
        "encoding": encoding, "params": n_params, "steps": steps_done,
        "train_tokens": steps_done * B * T, "seconds": round(el, 1),
        "tokens_per_second": round(steps_done * B * T / el, 1),
        "final_train_loss": round(last_loss, 5), "final_train_loss_ema": round(ema, 5),
        "final_passkey_probe": probe.exact_match(model),
        "passkey_sequences": batcher.n_passkey, "retrieval_sequences": batcher.n_kinds,
        "sequences": batcher.n_seq,
        "config": {k: (list(v) if isinstance(v, tuple) else v) for k, v in cfg.items()},
        "torch": torch.__version__, "threads": threads,
    }
    ck = os.path.join(out_dir, "checkpoint.pt")
    save_atomic({"state_dict": model.state_dict(), "encoding": encoding,
                 "model_kwargs": {k: cfg[k] for k in MODEL_KEYS}, "summary": summary}, ck)
    with open(os.path.join(out_dir, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1)
    if os.path.exists(resume_path):
        os.remove(resume_path)
    print(f"[{encoding}] done: {json.dumps({k: summary[k] for k in ('train_tokens', 'seconds', 'tokens_per_second', 'final_train_loss', 'final_passkey_probe')})}", flush=True)
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
    ap.add_argument("--ckpt-every", type=int, default=50)
    ap.add_argument("--probe-every", type=int, default=100)
    ap.add_argument("--retrieval-frac", type=float, default=-1.0)
    a = ap.parse_args()
    out = a.out or os.path.join("zoo", "runs", a.encoding)
    train(a.encoding, a.tokens, out, a.corpus, a.sp, a.threads, max_seconds=a.max_seconds,
          batch_size=a.batch_size, ckpt_every=a.ckpt_every, probe_every=a.probe_every,
          retrieval_frac=a.retrieval_frac)


if __name__ == "__main__":
    main()
