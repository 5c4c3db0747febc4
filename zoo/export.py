"""Export trained zoo checkpoints as TorchScript archives with lengen.json metadata.

  /usr/bin/python3 -m zoo.export --encoding rope-yarn [--runs zoo/runs] [--out zoo/models]
  /usr/bin/python3 -m zoo.export --from-archives   # re-export zoo/models/*.pt in place

rope, rope-pi, rope-ntk and rope-yarn are exported from the one `rope` checkpoint.
Parameters are stored as float16 (archive <= 2 MB); the harness upcasts with
module.to(torch::kFloat) before use.  Nothing inside forward casts to half, so the
upcast module runs entirely in float32.  All parameters have requires_grad=False so
a forward never builds an autograd graph.
"""
import argparse
import glob
import io
import json
import os
from typing import Optional

import torch

from zoo.data import PASSKEY_QUESTION, PASSKEY_SENTENCE
from zoo.model import ENCODINGS, LM, base_encoding, build_model, count_params

TOKENIZER_SHA_FILE = "data/tokenizer/lengen-4096.sha256"


def tokenizer_sha256(path: str = TOKENIZER_SHA_FILE) -> Optional[str]:
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return f.read().split()[0].strip()


def encoding_meta(model: LM, name: str) -> dict:
    pos = model.pos
    if name == "nope":
        return {"type": "nope"}
    if name == "sinusoidal":
        return {"type": "sinusoidal", "base": 10000, "embedding_scale": model.emb_scale}
    if name.startswith("rope"):
        d = {"type": name, "base": 10000, "rotary_dim": model.d_head,
             "scaling": {"rope": "none", "rope-pi": "position_interpolation",
                         "rope-ntk": "dynamic_ntk", "rope-yarn": "yarn"}[name],
             "uses_set_eval_length": name != "rope"}
        if name == "rope-yarn":
            d.update({"alpha": 1.0, "beta": 32.0, "attention_temperature": "0.1*ln(s)+1"})
        return d
    if name == "alibi":
        return {"type": "alibi", "slopes": [float(x) for x in pos.slopes]}
    if name == "kerple":
        return {"type": "kerple", "variant": "log",
                "r1": pos.r1.detach().clamp(min=1e-2).tolist(),
                "r2": pos.r2.detach().clamp(min=1e-2).tolist()}
    if name == "t5":
        return {"type": "t5", "num_buckets": pos.num_buckets, "max_distance": pos.max_distance,
                "bidirectional": False, "shared_across_layers": True}
    if name in ("fire", "fire-s"):
        L = (pos.L_mult.detach().abs() * pos.L_base).clamp(min=1.0)
        return {"type": name, "mlp_hidden": pos.hidden, "shared_across_layers": name == "fire-s",
                "c": pos.c.detach().abs().clamp(min=1e-4).tolist(), "L": L.tolist(),
                "L_init": pos.L_base, "table_tol": pos.table_tol}
    raise ValueError(name)


def make_meta(model: LM, name: str, extra: dict) -> dict:
    meta = {
        "name": name,
        "position_encoding": encoding_meta(model, name),
        "train_length": model.train_length,
        "vocab_size": model.vocab_size,
        "tokenizer_sha256": tokenizer_sha256(),
        "bos_id": None,
        "eos_id": 2,
        "max_length": None,
        "d_model": model.d_model,
        "n_layers": model.n_layers,
        "n_heads": model.n_heads,
        "params": count_params(model),
        "param_dtype": "float16",
        "has_set_eval_length": True,
        "attention_block_size": model.block_size,
        "qk_conv": bool(model.qk_conv),
        "has_forward_cached": True,
        "passkey_template": {"sentence": PASSKEY_SENTENCE, "question": PASSKEY_QUESTION},
    }
    meta.update(extra)
    return meta


def script_and_save(model: LM, path: str, meta: Optional[dict], half: bool = True) -> int:
    """Script `model` (eval, no grad), optionally store params in fp16, save with
    lengen.json.  Verifies the archive: load -> .float() -> forward.  Returns bytes."""
    model = model.eval()
    for m in model.modules():
        if hasattr(m, "clear_tables"):
            m.clear_tables()  # FIRE's eval tables are rebuilt after loading, never stored
    for p in model.parameters():
        p.requires_grad_(False)
    if half:
        model = model.half()
    sm = torch.jit.script(model)
    extra = {"lengen.json": json.dumps(meta, indent=1, sort_keys=True)} if meta is not None else {}
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    tmp = path + ".tmp"
    torch.jit.save(sm, tmp, _extra_files=extra)
    os.replace(tmp, path)
    verify(path, model.vocab_size)
    return os.path.getsize(path)


def verify(path: str, vocab: int) -> None:
    files = {"lengen.json": ""}
    m = torch.jit.load(path, _extra_files=files)
    m = m.float().eval()
    x = torch.randint(0, vocab, (2, 40), generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        y = m(x)
    assert y.dtype == torch.float32 and tuple(y.shape) == (2, 40, vocab), (y.dtype, y.shape)
    assert bool(torch.isfinite(y).all())


def final_checkpoint(runs: str, base: str) -> str:
    """The last stage's checkpoint of a run: stage 3 (zoo/anneal.py, <run>/anneal/) when
    it has finished, else stage 2 (zoo/train.py, <run>/)."""
    annealed = os.path.join(runs, base, "anneal", "checkpoint.pt")
    return annealed if os.path.exists(annealed) else os.path.join(runs, base, "checkpoint.pt")


def export(name: str, runs: str = "zoo/runs", out: str = "zoo/models") -> str:
    base = base_encoding(name)
    ck = torch.load(final_checkpoint(runs, base), map_location="cpu")
    model = build_model(name, **ck["model_kwargs"])
    model.load_state_dict(ck["state_dict"], strict=True)
    s = ck["summary"]
    extra = {"train_tokens": s["train_tokens"], "final_train_loss": s["final_train_loss"],
             "train_seconds": s["seconds"], "train_tokens_per_second": s["tokens_per_second"],
             "trained_as": base, "train_corpus": "lengen train split (build/data/corpora/train)",
             "passkey_fraction": s["config"]["passkey_frac"],
             "copy_steps": s["config"].get("copy_steps", 0),
             "anneal_steps": s.get("anneal_steps", 0)}
    meta = make_meta(model, name, extra)
    path = os.path.join(out, name + ".pt")
    size = script_and_save(model, path, meta)
    print(f"exported {path} ({size} bytes)", flush=True)
    return path


def rebuild_from_archive(path: str):
    """The LM of an exported archive (fp16 state dict + lengen.json), rebuilt with the
    current zoo/model.py: the same weights and settings, so new methods (forward_cached)
    appear without retraining.  FIRE's L_base comes from the archive's L_init (the v1
    zoo was trained with L_init = 128, the current default is the training length).
    Returns (model in float32, eval; metadata dict; the archive loaded as float32)."""
    files = {"lengen.json": ""}
    old = torch.jit.load(path, _extra_files=files)
    meta = json.loads(files["lengen.json"])
    name = meta["name"]
    model = build_model(name, vocab_size=meta["vocab_size"], d_model=meta["d_model"],
                        n_layers=meta["n_layers"], n_heads=meta["n_heads"],
                        train_length=meta["train_length"],
                        block_size=meta["attention_block_size"],
                        qk_conv=bool(meta.get("qk_conv", False)))
    if name in ("fire", "fire-s"):
        model.pos.L_base = float(meta["position_encoding"]["L_init"])
    state = {k: v.float() for k, v in old.state_dict().items()}
    model.load_state_dict(state, strict=True)
    return model.float().eval(), meta, old.float().eval()


def reexport_archive(path: str, out: str, lengths=(64, 700, 1500)) -> float:
    """Re-exports `path` to `out` and returns the largest |logit difference| between the
    old archive and the new one (after set_eval_length) over `lengths`; refuses (and
    keeps the old file) above 1e-4."""
    model, meta, old = rebuild_from_archive(path)
    meta["has_forward_cached"] = True
    worst = 0.0
    tmp_out = out + ".new"
    script_and_save(model, tmp_out, meta)
    new = torch.jit.load(tmp_out).float().eval()
    g = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for T in lengths:
            x = torch.randint(0, meta["vocab_size"], (1, T), generator=g)
            old.set_eval_length(T)
            new.set_eval_length(T)
            worst = max(worst, float((old(x) - new(x)).abs().max()))
    if worst > 1e-4:
        os.remove(tmp_out)
        raise RuntimeError(f"{path}: re-exported logits differ by {worst:.3g} > 1e-4")
    os.replace(tmp_out, out)
    return worst


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--encoding", action="append", help="name (repeatable); default: all trained")
    ap.add_argument("--runs", default="zoo/runs")
    ap.add_argument("--out", default="zoo/models")
    ap.add_argument("--from-archives", action="store_true",
                    help="re-export the archives in --out with the current model code "
                         "(no checkpoints needed), checking their logits")
    a = ap.parse_args()
    if a.from_archives:
        for path in sorted(glob.glob(os.path.join(a.out, "*.pt"))):
            worst = reexport_archive(path, path)
            print(f"re-exported {path} ({os.path.getsize(path)} bytes), "
                  f"max |logit difference| vs the old archive {worst:.2e}", flush=True)
        return
    names = a.encoding or [e for e in ENCODINGS
                           if os.path.exists(os.path.join(a.runs, base_encoding(e), "checkpoint.pt"))]
    for n in names:
        export(n, a.runs, a.out)


if __name__ == "__main__":
    main()
