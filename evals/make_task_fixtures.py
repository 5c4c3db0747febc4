"""Write the fixture model of the `lengen tasks` tests: a planted-answer model.

  /usr/bin/python3 evals/make_task_fixtures.py [--out tests/fixtures/models]

tests/fixtures/models/task_copy.pt is a TorchScript "language model" with no
parameters that retrieves perfectly by construction: at every position t it
finds the earlier position j whose preceding tokens match the longest suffix
ending at t (up to MAX_MATCH tokens; ties go to the latest j) and puts logit
COPY_LOGIT on the token that followed j, 0 elsewhere (uniform when nothing
matches). For passkey and niah the longest match of the question's tail is the
needle itself ("The pass key is", "... numbers for {key} is:"), so the model
emits the planted answer: the task tests expect it to score 100% at every
length and depth, which checks needle placement, candidate scoring and the
greedy scorer end to end. tests/fixtures/models/uniform.pt (zero logits) is the
chance-level counterpart.

Deterministic (no randomness, PYTHONHASHSEED=0 for byte-identical archives), a
few KB. Cost: MAX_MATCH x [B, T, T] comparisons, fine for test lengths (<= 4k).
"""
import argparse
import json
import os
import sys

import torch
from torch import Tensor

VOCAB = 4096
MAX_MATCH = 16
COPY_LOGIT = 20.0
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


class LongestMatchCopier(torch.nn.Module):
    def __init__(self, vocab: int, max_match: int, copy_logit: float):
        super().__init__()
        self.vocab = vocab
        self.max_match = max_match
        self.copy_logit = copy_logit

    def forward(self, tokens: Tensor) -> Tensor:
        b, t = tokens.size(0), tokens.size(1)
        eq = tokens.unsqueeze(2) == tokens.unsqueeze(1)                  # [B, T(i), T(j)]
        earlier = torch.ones(t, t, dtype=torch.bool).tril(-1).unsqueeze(0)  # j < i
        run = eq & earlier                                               # suffixes of length 1 match
        length = run.to(torch.int64)
        for k in range(1, self.max_match):
            if k >= t:
                break
            # length >= k + 1 iff it is >= k and tokens[i - k] == tokens[j - k].
            step = torch.zeros_like(run)
            step[:, k:, k:] = eq[:, :-k, :-k]
            run = run & step
            length = length + run.to(torch.int64)
        # Longest match first, then the latest j.
        j = torch.arange(t, dtype=torch.int64).view(1, 1, t)
        key = torch.where(length > 0, length * t + j, torch.full_like(length, -1))
        best = key.argmax(dim=2)                                         # [B, T]
        found = key.max(dim=2).values >= 0                               # [B, T]
        following = torch.gather(tokens, 1, (best + 1).clamp(max=t - 1))  # token after j
        logits = torch.zeros(b, t, self.vocab, dtype=torch.float32)
        bump = torch.where(found, torch.full((b, t), self.copy_logit), torch.zeros(b, t))
        logits.scatter_(2, following.unsqueeze(2), bump.unsqueeze(2))
        return logits


def tokenizer_sha256() -> str:
    with open(os.path.join(ROOT, "data/tokenizer/lengen-4096.sha256")) as f:
        return f.read().split()[0]


def main() -> None:
    if os.environ.get("PYTHONHASHSEED") != "0":
        env = dict(os.environ, PYTHONHASHSEED="0")
        os.execve(sys.executable, [sys.executable] + sys.argv, env)
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "tests/fixtures/models"))
    out = ap.parse_args().out
    os.makedirs(out, exist_ok=True)
    meta = {
        "name": "task_copy", "position_encoding": {"type": "none"}, "train_length": 0,
        "vocab_size": VOCAB, "tokenizer_sha256": tokenizer_sha256(), "bos_id": None, "eos_id": 2,
        "max_length": None, "fixture": True,
        "description": "longest-suffix-match copier (evals/make_task_fixtures.py): planted answers",
    }
    module = torch.jit.script(LongestMatchCopier(VOCAB, MAX_MATCH, COPY_LOGIT).eval())
    path = os.path.join(out, "task_copy.pt")
    torch.jit.save(module, path, _extra_files={"lengen.json": json.dumps(meta, indent=1, sort_keys=True)})
    print(f"{path}: {os.path.getsize(path)} bytes")


if __name__ == "__main__":
    main()
