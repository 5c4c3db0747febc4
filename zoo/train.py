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

from zoo.data import (PASSKEY_QUESTION, Batcher, CopyBatcher, load_sp, passkey_example,
                      tokenize_corpus)
from zoo.model import build_model, count_params

DEFAULTS = dict(
    vocab_size=4096, d_model=128, n_layers=2, n_heads=4, train_length=512,
    batch_size=8, lr=2e-3, min_lr_frac=0.1, warmup_frac=0.05, weight_decay=0.1,
    betas=(0.9, 0.95), grad_clip=1.0, seed=1234, data_seed=5678, passkey_frac=0.05,
    retrieval_frac=0.5, autocast="bfloat16",
    # zoo v4: share of retrieval examples as long as the row, so that needles lie
    # anywhere up to T tokens before their question (zoo/data.py, Batcher)
    retrieval_full_frac=0.5,
    # stage 1, the copy curriculum (zoo/README.md, "Zoo v2"): copy_steps steps of
    # CopyBatcher rows (copy_length + 1 tokens, copy_batch rows) at the constant
    # copy_lr after copy_warmup steps; then the LM + retrieval schedule at T = 512
    copy_steps=500, copy_length=64, copy_batch=32, copy_lr=3e-3, copy_warmup=50,
    copy_seed=2468, copy_alphabet_frac=0.5,
    # zoo v3: query/key convolutions in every layer (zoo/model.py, LM; zoo/README.md)
    qk_conv=True,
)
PROBE_SEED = 97531
PROBE_SAMPLES = 32
MODEL_KEYS = ("vocab_size", "d_model", "n_layers", "n_heads", "train_length", "qk_conv")


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
        # not on LayerNorm gains/biases, position-encoding parameters nor the q/k
        # convolution taps (decay would pull them from their bigram start to 0)
        if p.dim() >= 2 and not name.startswith("pos.") and ".conv_" not in name:
            decay.append(p)
        else:
            no_decay.append(p)
    return torch.optim.AdamW([
        {"params": decay, "weight_decay": cfg["weight_decay"]},
        {"params": no_decay, "weight_decay": 0.0},
    ], lr=cfg["lr"], betas=cfg["betas"])


def train_step(model: torch.nn.Module, opt: torch.optim.Optimizer, x: torch.Tensor,
               lr: float, cfg: dict) -> float:
    """One optimizer step on x [B, L] (inputs x[:, :-1], targets x[:, 1:]) at `lr`;
    returns the loss.  bfloat16 autocast: matmuls on the CPU's bf16 units (1.6x the fp32
    step here); master weights, optimizer and loss in float32."""
    for g in opt.param_groups:
        g["lr"] = lr
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=cfg["autocast"] == "bfloat16"):
        logits = model(x[:, :-1])
    loss = torch.nn.functional.cross_entropy(logits.float().reshape(-1, logits.size(-1)),
                                             x[:, 1:].reshape(-1))
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), cfg["grad_clip"])
    opt.step()
    return float(loss)


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


class CopyProbe:
    """Greedy next-token accuracy on 16 fixed rows of a 20-token uniform span repeated back to
    back at T = 512, counted after the first two copies, where only copying predicts (chance
    ~1/4096).  Shows when the induction mechanism forms and whether it survives stage 2."""

    def __init__(self, vocab_size: int, T: int, span: int = 20):
        gen = CopyBatcher(vocab_size, T, 16, seed=PROBE_SEED + 1)
        self.rows = torch.tensor([gen.row(T + 1, span) for _ in range(16)], dtype=torch.int64)
        self.skip = 2 * span

    @torch.no_grad()
    def accuracy(self, model: torch.nn.Module) -> float:
        was_training = model.training
        model.eval()
        pred = model(self.rows[:, :-1]).argmax(-1)
        model.train(was_training)
        return float((pred[:, self.skip:] == self.rows[:, self.skip + 1:]).float().mean())


class Schedule:
    """Batch and learning rate of every step: cfg["copy_steps"] steps of the copy curriculum
    (constant copy_lr after a linear warm-up), then main_steps steps of the LM + retrieval
    mix at T = 512 with their own warm-up and cosine decay (lr_at)."""

    def __init__(self, cfg: dict, main_steps: int, batcher: Batcher, copy: CopyBatcher):
        self.cfg, self.main_steps = cfg, main_steps
        self.batcher, self.copy = batcher, copy
        self.copy_steps = cfg["copy_steps"]
        self.total = self.copy_steps + main_steps

    def stage(self, step: int) -> str:
        return "copy" if step < self.copy_steps else "main"

    def lr(self, step: int) -> float:
        if step < self.copy_steps:
            return self.cfg["copy_lr"] * min(1.0, (step + 1) / self.cfg["copy_warmup"])
        return lr_at(step - self.copy_steps, self.main_steps, self.cfg)

    def batch(self, step: int) -> np.ndarray:
        return self.copy.next() if step < self.copy_steps else self.batcher.next()

    def tokens(self, steps_done: int) -> int:
        """Training tokens (rows x model input length) after `steps_done` steps."""
        c = min(steps_done, self.copy_steps)
        main = (steps_done - c) * self.cfg["batch_size"] * self.cfg["train_length"]
        return c * self.cfg["copy_batch"] * self.cfg["copy_length"] + main

    def state(self) -> dict:
        return {"batcher": self.batcher.state(), "copy": self.copy.state()}

    def load_state(self, st: dict) -> None:
        self.batcher.load_state(st["batcher"])
        self.copy.load_state(st["copy"])


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


def make_config(batch_size: int, retrieval_frac: float, copy_steps: int) -> dict:
    cfg = dict(DEFAULTS)
    if batch_size:
        cfg["batch_size"] = batch_size
    if retrieval_frac >= 0:
        cfg["retrieval_frac"] = retrieval_frac
    if copy_steps >= 0:
        cfg["copy_steps"] = copy_steps
    return cfg


def load_resume(path: str, cfg: dict, total_steps: int, model, opt, schedule: Schedule):
    """(start_step, seconds, ema) of the resume point at `path`, or (0, 0.0, None)."""
    if not os.path.exists(path):
        return 0, 0.0, None
    st = torch.load(path, map_location="cpu")
    if st["total_steps"] != total_steps or st["config"] != cfg:
        raise SystemExit(f"{path}: written for another budget or config; "
                         "delete it to start over")
    model.load_state_dict(st["model"])
    opt.load_state_dict(st["opt"])
    schedule.load_state(st["data"])
    return st["step"], st["seconds"], st["ema"]


def train(encoding: str, tokens: int, out_dir: str, corpus: str, sp_model: str,
          threads: int = 2, log_every: int = 10, max_seconds: float = 0.0,
          batch_size: int = 0, ckpt_every: int = 50, probe_every: int = 100,
          retrieval_frac: float = -1.0, stop_after: int = 0, copy_steps: int = -1) -> dict:
    """`tokens`: budget of the main stage (the copy curriculum comes on top);
    stop_after > 0: stop after that many steps as if killed (tests of resuming)."""
    cfg = make_config(batch_size, retrieval_frac, copy_steps)
    torch.set_num_threads(threads)
    os.makedirs(out_dir, exist_ok=True)
    T, B = cfg["train_length"], cfg["batch_size"]
    main_steps = max(1, tokens // (B * T))

    stream = tokenize_corpus(corpus, sp_model)
    sp = load_sp(sp_model)
    batcher = Batcher(stream, sp, T, B, seed=cfg["data_seed"], passkey_frac=cfg["passkey_frac"],
                      retrieval_frac=cfg["retrieval_frac"],
                      full_frac=cfg["retrieval_full_frac"])
    copy = CopyBatcher(cfg["vocab_size"], cfg["copy_length"], cfg["copy_batch"],
                       seed=cfg["copy_seed"], alphabet_frac=cfg["copy_alphabet_frac"])
    schedule = Schedule(cfg, main_steps, batcher, copy)
    total_steps = schedule.total
    probe = PasskeyProbe(sp, stream, T)
    copy_probe = CopyProbe(cfg["vocab_size"], T)

    torch.manual_seed(cfg["seed"])
    model = build_model(encoding, **{k: cfg[k] for k in MODEL_KEYS})
    model.train()
    opt = make_optimizer(model, cfg)
    n_params = count_params(model)

    resume_path = os.path.join(out_dir, "resume.pt")
    start_step, elapsed0, ema = load_resume(resume_path, cfg, total_steps, model, opt, schedule)
    if start_step:
        print(f"[{encoding}] resuming at step {start_step}", flush=True)
    print(f"[{encoding}] params={n_params} stream_tokens={len(stream)} "
          f"copy_steps={schedule.copy_steps} main_steps={main_steps} B={B} T={T} "
          f"budget={schedule.tokens(total_steps)} retrieval_frac={cfg['retrieval_frac']}",
          flush=True)

    csv_path = os.path.join(out_dir, "loss.csv")
    probe_path = os.path.join(out_dir, "probe.csv")
    resume = start_step > 0
    if resume:
        truncate_csv(csv_path, start_step)
        truncate_csv(probe_path, start_step)
    fcsv, w = open_log(csv_path, ["step", "tokens", "loss", "lr", "seconds", "stage"], resume)
    fprobe, wp = open_log(probe_path, ["step", "passkey_exact", "copy_acc"], resume)
    t0 = time.perf_counter() - elapsed0
    acc, acc_n = 0.0, 0
    last_loss = float("nan")
    step = start_step - 1
    for step in range(start_step, total_steps):
        lr = schedule.lr(step)
        lv = train_step(model, opt, torch.from_numpy(schedule.batch(step)), lr, cfg)
        acc += lv
        acc_n += 1
        ema = lv if ema is None else 0.98 * ema + 0.02 * lv
        done = step + 1
        # the loss of a log row never mixes the two stages
        if done % log_every == 0 or done == total_steps or done == schedule.copy_steps:
            el = time.perf_counter() - t0
            last_loss = acc / acc_n
            w.writerow([done, schedule.tokens(done), f"{last_loss:.5f}", f"{lr:.6g}",
                        f"{el:.1f}", schedule.stage(step)])
            fcsv.flush()
            acc, acc_n = 0.0, 0
            if done % (log_every * 10) == 0 or done == total_steps:
                rate = (schedule.tokens(done) - schedule.tokens(start_step)) / (el - elapsed0)
                print(f"[{encoding}] step {done}/{total_steps} ({schedule.stage(step)}) "
                      f"loss {last_loss:.4f} lr {lr:.2e} {rate:.0f} tok/s {el:.0f}s", flush=True)
        if done % probe_every == 0 or done == total_steps:
            em, ca = probe.exact_match(model), copy_probe.accuracy(model)
            wp.writerow([done, f"{em:.4f}", f"{ca:.4f}"])
            fprobe.flush()
            print(f"[{encoding}] step {done} passkey probe {em:.3f} copy {ca:.3f}", flush=True)
        # resume points sit on log boundaries, so the loss accumulator is empty there
        if done % ckpt_every == 0 and done % log_every == 0 and done < total_steps:
            save_atomic({"model": model.state_dict(), "opt": opt.state_dict(),
                         "data": schedule.state(), "step": done, "ema": ema,
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
        "copy_steps": min(steps_done, schedule.copy_steps),
        "train_tokens": schedule.tokens(steps_done), "seconds": round(el, 1),
        "tokens_per_second": round(schedule.tokens(steps_done) / el, 1),
        "final_train_loss": round(last_loss, 5), "final_train_loss_ema": round(ema, 5),
        "final_passkey_probe": probe.exact_match(model),
        "final_copy_probe": copy_probe.accuracy(model),
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
    print(f"[{encoding}] done: {json.dumps({k: summary[k] for k in ('train_tokens', 'seconds', 'tokens_per_second', 'final_train_loss', 'final_passkey_probe', 'final_copy_probe')})}", flush=True)
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
    ap.add_argument("--copy-steps", type=int, default=-1)
    a = ap.parse_args()
    out = a.out or os.path.join("zoo", "runs", a.encoding)
    train(a.encoding, a.tokens, out, a.corpus, a.sp, a.threads, max_seconds=a.max_seconds,
          batch_size=a.batch_size, ckpt_every=a.ckpt_every, probe_every=a.probe_every,
          retrieval_frac=a.retrieval_frac, copy_steps=a.copy_steps)


if __name__ == "__main__":
    main()
