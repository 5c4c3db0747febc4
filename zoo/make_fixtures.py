"""Write the tiny TorchScript fixture models used by the C++ tests.

  /usr/bin/python3 -m zoo.make_fixtures [--out tests/fixtures/models]

Deterministic (fixed seeds, no training), a few seconds, every file <= 200 KB.
Needs data/tokenizer/lengen-4096.model (+ .sha256) and tests/data/corpus/*.txt for
golden_nll.json.  See tests/fixtures/models/README.md (written by this script) for
what each file is for.
"""
import argparse
import glob
import json
import os
import sys
from typing import Dict, List, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

from zoo.export import make_meta, script_and_save, tokenizer_sha256
from zoo.model import LM

V = 4096
TINY = dict(vocab_size=V, d_model=16, n_layers=1, n_heads=2, train_length=64, block_size=32)
SP_MODEL = "data/tokenizer/lengen-4096.model"
CORPUS = "tests/data/corpus"
GOLDEN_WINDOW = 32
GOLDEN_MAX_WINDOWS = 8


def base_meta(name: str, vocab: int = V, pe: str = "none") -> dict:
    return {
        "name": name, "position_encoding": {"type": pe}, "train_length": 64,
        "vocab_size": vocab, "tokenizer_sha256": tokenizer_sha256(), "bos_id": None,
        "eos_id": 2, "max_length": None, "fixture": True,
    }


# ----------------------------------------------------------------------- odd modules
class Uniform(nn.Module):
    """All-zero logits: every token has probability 1/V, so PPL == V exactly.  Has the
    cached contract too (its past is empty: nothing depends on history), so the task
    tests pin chance level on the cached path."""

    def __init__(self, vocab: int = V):
        super().__init__()
        self.vocab = vocab

    def forward(self, tokens: Tensor) -> Tensor:
        return torch.zeros(tokens.size(0), tokens.size(1), self.vocab, dtype=torch.float32)

    @torch.jit.export
    def forward_cached(self, tokens: Tensor, past: List[Tensor],
                       start: int) -> Tuple[Tensor, List[Tensor]]:
        return self.forward(tokens), past


class InductionCopy(nn.Module):
    """The positive control of the task tests: an induction head written by hand.  At
    each position i it finds the earlier position j < i whose preceding tokens match the
    longest suffix ending at i (up to max_match tokens; ties go to the latest j) and puts
    logit copy_logit on the token that followed j (j + 1 <= i), 0 elsewhere (uniform when
    the current token never occurred before).  The question of passkey / niah ends in the
    needle's lead-in ("The pass key is", "... numbers for {key} is:"), so the model emits
    the planted answer: it cannot fail a retrieval the task path lets it see.

    Sparse: per block of query rows only the pairs (i, j) with tokens[i] == tokens[j] are
    kept (nonzero of one [B, n, i] comparison) and extended backwards, so an 8k prompt
    costs well under a second.  forward_cached keeps the token history as its past."""

    def __init__(self, vocab: int = V, max_match: int = 16, copy_logit: float = 20.0,
                 block: int = 512):
        super().__init__()
        self.vocab = vocab
        self.max_match = max_match
        self.copy_logit = copy_logit
        self.block = block

    def copy_targets(self, hist: Tensor, start: int) -> Tensor:
        """hist [B, T] ids; for the rows i in [start, T): the token to copy, -1 if none."""
        B = hist.size(0)
        T = hist.size(1)
        outs: List[Tensor] = []
        for qs in range(start, T, self.block):
            qe = min(qs + self.block, T)
            n = qe - qs
            # [B, n, qe] same token, earlier position (j < i)
            earlier = torch.ones(n, qe, dtype=torch.bool).tril(qs - 1).unsqueeze(0)
            eq = (hist[:, qs:qe].unsqueeze(2) == hist[:, :qe].unsqueeze(1)) & earlier
            pairs = eq.nonzero()  # [M, 3]: (b, r, j)
            b = pairs[:, 0]
            i = pairs[:, 1] + qs
            j = pairs[:, 2]
            length = torch.ones_like(j)
            alive = torch.ones_like(j, dtype=torch.bool)
            for k in range(1, self.max_match):
                ok = (j - k) >= 0
                same = hist[b, (i - k).clamp(min=0)] == hist[b, (j - k).clamp(min=0)]
                alive = alive & ok & same
                if not bool(alive.any()):
                    break
                length = length + alive.to(torch.int64)
            key = length * T + j  # longest first, then the latest j
            best = torch.full([B * n], -1, dtype=torch.int64)
            best = best.scatter_reduce(0, b * n + (i - qs), key, "amax", include_self=True)
            found = best >= 0
            src = torch.remainder(best, T) + 1  # the token after j
            row = torch.arange(B).unsqueeze(1).expand(B, n).reshape(-1)
            follow = hist[row, src.clamp(max=T - 1)]
            outs.append(torch.where(found, follow, torch.full_like(follow, -1)).view(B, n))
        return torch.cat(outs, dim=1)

    def logits_for(self, targets: Tensor) -> Tensor:
        B = targets.size(0)
        n = targets.size(1)
        logits = torch.zeros(B, n, self.vocab, dtype=torch.float32)
        bump = torch.where(targets >= 0, torch.full([B, n], self.copy_logit),
                           torch.zeros(B, n))
        logits.scatter_(2, targets.clamp(min=0).unsqueeze(2), bump.unsqueeze(2))
        return logits

    def forward(self, tokens: Tensor) -> Tensor:
        return self.logits_for(self.copy_targets(tokens, 0))

    @torch.jit.export
    def forward_cached(self, tokens: Tensor, past: List[Tensor],
                       start: int) -> Tuple[Tensor, List[Tensor]]:
        B = tokens.size(0)
        hist = tokens
        if start > 0:
            prev = past[0]  # [B' , start] ids; a batch-1 prompt broadcasts
            if prev.size(0) != B:
                prev = prev.expand(B, start)
            hist = torch.cat([prev, tokens], dim=1)
        return self.logits_for(self.copy_targets(hist, start)), [hist]


class ForgetfulCache(nn.Module):
    """A real tiny LM whose forward_cached ignores its past (a broken cache): the
    harness must detect the disagreement on the first sample and fail the cell."""

    def __init__(self, lm: LM):
        super().__init__()
        self.lm = lm
        self.vocab_size = lm.vocab_size

    def forward(self, tokens: Tensor) -> Tensor:
        return self.lm(tokens)

    @torch.jit.export
    def set_eval_length(self, length: int) -> None:
        self.lm.set_eval_length(length)

    @torch.jit.export
    def forward_cached(self, tokens: Tensor, past: List[Tensor],
                       start: int) -> Tuple[Tensor, List[Tensor]]:
        logits, new_past = self.lm.forward_cached(tokens, [], 0)
        return logits, new_past


class TupleOut(nn.Module):
    """Returns (logits, aux) with uniform logits."""

    def __init__(self):
        super().__init__()
        self.vocab = V

    def forward(self, tokens: Tensor) -> Tuple[Tensor, Tensor]:
        logits = torch.zeros(tokens.size(0), tokens.size(1), self.vocab, dtype=torch.float32)
        return logits, torch.zeros(tokens.size(0))


class DictOut(nn.Module):
    """Returns {"logits": logits} with uniform logits."""

    def __init__(self):
        super().__init__()
        self.vocab = V

    def forward(self, tokens: Tensor) -> Dict[str, Tensor]:
        return {"logits": torch.zeros(tokens.size(0), tokens.size(1), self.vocab, dtype=torch.float32)}


class WrongV(nn.Module):
    """Logits [B, T, 4000] although the metadata says vocab_size 4096."""

    def forward(self, tokens: Tensor) -> Tensor:
        return torch.zeros(tokens.size(0), tokens.size(1), 4000, dtype=torch.float32)


class TwoD(nn.Module):
    """Returns [B, T] instead of [B, T, V]."""

    def forward(self, tokens: Tensor) -> Tensor:
        return torch.zeros(tokens.size(0), tokens.size(1), dtype=torch.float32)


class WrongSig(nn.Module):
    """forward takes two tensors."""

    def __init__(self):
        super().__init__()
        self.vocab = V

    def forward(self, x: Tensor, y: Tensor) -> Tensor:
        return torch.zeros(x.size(0), x.size(1), self.vocab, dtype=torch.float32) + y.sum()


class WrongCachedSig(Uniform):
    """forward is fine, forward_cached lacks the past argument."""

    @torch.jit.export
    def forward_cached(self, tokens: Tensor, start: int) -> Tuple[Tensor, List[Tensor]]:
        return self.forward(tokens), [tokens]


def save_plain(module: nn.Module, path: str, meta) -> int:
    sm = torch.jit.script(module.eval())
    extra = {"lengen.json": json.dumps(meta, indent=1, sort_keys=True)} if meta is not None else {}
    torch.jit.save(sm, path, _extra_files=extra)
    return os.path.getsize(path)


def tiny_lm(encoding: str, seed: int, **over) -> LM:
    """Random-init tiny LM with a wider init than training uses, so that the logits are
    far from uniform (per-token NLLs spread over several nats)."""
    kw = dict(TINY)
    kw.update(over)
    torch.manual_seed(seed)
    m = LM(encoding=encoding, **kw)
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in m.named_parameters():
            if name == "tok_emb.weight":
                p.copy_(torch.randn(p.shape, generator=g) * 0.5)
            elif p.dim() == 2 and not name.startswith("pos."):
                p.copy_(torch.randn(p.shape, generator=g) * 0.3)
    return m.eval()


def golden(path: str, out_json: str) -> dict:
    import sentencepiece as spm
    sp = spm.SentencePieceProcessor(model_file=SP_MODEL)
    first = sorted(glob.glob(os.path.join(CORPUS, "*.txt")))[0]
    with open(first, encoding="utf-8") as f:
        ids = sp.encode(f.read())
    n = min(GOLDEN_MAX_WINDOWS, len(ids) // GOLDEN_WINDOW)
    windows = [ids[w * GOLDEN_WINDOW:(w + 1) * GOLDEN_WINDOW] for w in range(n)]
    m = torch.jit.load(path).float().eval()
    nll = []
    with torch.no_grad():
        for w in windows:
            logits = m(torch.tensor([w], dtype=torch.int64))[0].double()
            lp = torch.log_softmax(logits, dim=-1)
            nll.append([float(-lp[t, w[t + 1]]) for t in range(len(w) - 1)])
    data = {
        "model": os.path.basename(path),
        "tokenizer": SP_MODEL, "tokenizer_sha256": tokenizer_sha256(),
        "document": os.path.relpath(first), "window": GOLDEN_WINDOW,
        "note": "windows = disjoint 32-token chunks of the first document (sorted by file name) "
                "of tests/data/corpus, encoded without BOS/EOS; nll[w][t] = -log softmax(logits[w,t])"
                "[windows[w][t+1]] in float64 from the float32-upcast model, one window per forward "
                "([1,32]); expect agreement to ~1e-4",
        "windows": windows, "nll": nll,
    }
    with open(out_json, "w") as f:
        json.dump(data, f, indent=1)
    return data


README = """# Fixture models (generated by `/usr/bin/python3 -m zoo.make_fixtures`)

All are TorchScript archives; all but `no_meta.pt` carry `lengen.json`.
Files marked fp16 store their parameters in float16: load, then `.to(torch::kFloat)`.

| file | what | expected harness behaviour |
| --- | --- | --- |
| tiny_alibi.pt | real LM (all tiny_* LMs have forward_cached), vocab 4096, d=16, 1 layer, 2 heads, ALiBi, train_length 64, random init (seed 1), fp16 | works; reproduces golden_nll.json |
| tiny_rope.pt | same size, RoPE with dynamic NTK scaling, has set_eval_length (changes output only for T > 64), fp16 | works |
| tiny_fire.pt | same size, FIRE (fast eval path), fp16 | works; for speed checks |
| uniform.pt | all-zero logits [B,T,4096]; has forward_cached | PPL exactly 4096; tasks at chance exactly |
| induction_copy.pt | hand-written induction copier (longest earlier suffix match, copy the next token), forward and forward_cached | tasks: 100% ranking and greedy exact match at every length and depth |
| forgetful_cache.pt | tiny ALiBi LM whose forward_cached ignores its past | task cells fail with an error naming the model |
| task_copy.pt | dense longest-match copier without forward_cached (written by evals/make_task_fixtures.py) | tasks on the full path: 100% |
| tuple_out.pt | returns (logits, aux[B]); logits all zero | accept first element (PPL 4096) or reject clearly |
| dict_out.pt | returns {"logits": logits}; logits all zero | accept "logits" (PPL 4096) or reject clearly |
| bad_shape.pt | returns [B,T,4000], metadata says vocab 4096 | rejected with a clear error |
| bad_shape_2d.pt | returns [B,T] | rejected with a clear error |
| small_vocab.pt | real LM with vocab 100 (< tokenizer's 4096), metadata vocab_size 100 | rejected (vocab smaller than tokenizer) |
| wrong_sig.pt | forward(self, x, y) | rejected with a clear error |
| wrong_cached_sig.pt | uniform forward, forward_cached(self, tokens, start) without the past | rejected with a clear error |
| no_meta.pt | valid uniform model, no lengen.json | rejected or defaults, clearly reported |
| half_params.pt | real LM (vocab 4096, d=8, NoPE), params in float16; forward fails before `.float()`, works after | works after upcast |
| fails_above_64.pt | tiny ALiBi LM that raises for T > 64 | lengths <= 64 succeed, longer cells fail, other cells still done |
| golden_nll.json | per-token NLLs of tiny_alibi.pt on 32-token windows of the first tests/data/corpus document | C++ NLLs match to ~1e-4 |
"""


def main() -> None:
    if os.environ.get("PYTHONHASHSEED") != "0":
        # TorchScript's generated code orders some class constants by Python set/dict
        # hashing; a fixed hash seed makes the archives byte-for-byte reproducible.
        env = dict(os.environ, PYTHONHASHSEED="0")
        os.execve(sys.executable, [sys.executable, "-m", "zoo.make_fixtures"] + sys.argv[1:], env)
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="tests/fixtures/models")
    a = ap.parse_args()
    out = a.out
    os.makedirs(out, exist_ok=True)
    sizes = {}

    def meta_for(m: LM, name: str, enc: str) -> dict:
        meta = make_meta(m, enc, {"fixture": True, "random_init_seed": sizes.get("_seed", 0)})
        meta["name"] = name
        return meta

    for name, enc, seed in [("tiny_alibi", "alibi", 1), ("tiny_rope", "rope-ntk", 2),
                            ("tiny_fire", "fire", 3)]:
        sizes["_seed"] = seed
        m = tiny_lm(enc, seed)
        if enc == "fire":
            # the committed tiny_fire was made when FIRE's L started at 128 (now: the
            # training length); keep it the same model
            m.pos.L_base = 128.0
        sizes[name] = script_and_save(m, os.path.join(out, name + ".pt"), meta_for(m, name, enc))

    sizes["_seed"] = 4
    m = tiny_lm("alibi", 4, max_T=64)
    meta = meta_for(m, "fails_above_64", "alibi")
    meta["fails_above"] = 64
    sizes["fails_above_64"] = script_and_save(m, os.path.join(out, "fails_above_64.pt"), meta)

    sizes["_seed"] = 5
    m = tiny_lm("nope", 5, d_model=8)
    sizes["half_params"] = script_and_save(m, os.path.join(out, "half_params.pt"),
                                           meta_for(m, "half_params", "nope"))

    sizes["_seed"] = 6
    m = tiny_lm("alibi", 6, vocab_size=100)
    meta = meta_for(m, "small_vocab", "alibi")
    sizes["small_vocab"] = script_and_save(m, os.path.join(out, "small_vocab.pt"), meta)

    sizes["_seed"] = 7
    m = tiny_lm("alibi", 7)
    meta = meta_for(m, "forgetful_cache", "alibi")
    meta["broken"] = "forward_cached ignores its past"
    sizes["forgetful_cache"] = script_and_save(ForgetfulCache(m), os.path.join(
        out, "forgetful_cache.pt"), meta)
    meta = base_meta("induction_copy")
    meta["description"] = "hand-written induction copier (zoo/make_fixtures.py InductionCopy)"
    meta["train_length"] = 0
    sizes["induction_copy"] = save_plain(InductionCopy(), os.path.join(out, "induction_copy.pt"),
                                         meta)
    sizes["uniform"] = save_plain(Uniform(), os.path.join(out, "uniform.pt"), base_meta("uniform"))
    sizes["tuple_out"] = save_plain(TupleOut(), os.path.join(out, "tuple_out.pt"), base_meta("tuple_out"))
    sizes["dict_out"] = save_plain(DictOut(), os.path.join(out, "dict_out.pt"), base_meta("dict_out"))
    sizes["bad_shape"] = save_plain(WrongV(), os.path.join(out, "bad_shape.pt"), base_meta("bad_shape"))
    sizes["bad_shape_2d"] = save_plain(TwoD(), os.path.join(out, "bad_shape_2d.pt"), base_meta("bad_shape_2d"))
    sizes["wrong_cached_sig"] = save_plain(WrongCachedSig(), os.path.join(
        out, "wrong_cached_sig.pt"), base_meta("wrong_cached_sig"))
    sizes["wrong_sig"] = save_plain(WrongSig(), os.path.join(out, "wrong_sig.pt"), base_meta("wrong_sig"))
    sizes["no_meta"] = save_plain(Uniform(), os.path.join(out, "no_meta.pt"), None)
    sizes.pop("_seed")

    g = golden(os.path.join(out, "tiny_alibi.pt"), os.path.join(out, "golden_nll.json"))
    with open(os.path.join(out, "README.md"), "w") as f:
        f.write(README)
    for k, v in sorted(sizes.items()):
        assert v <= 200 * 1024, (k, v)
        print(f"{k:16s} {v:8d} bytes")
    print(f"golden_nll.json: {len(g['windows'])} windows of {GOLDEN_WINDOW} tokens from {g['document']}")


if __name__ == "__main__":
    main()
