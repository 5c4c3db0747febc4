"""Training data for the zoo: the `train` split, tokenized, plus synthetic passkey examples.

Token stream: the documents of build/data/corpora/train/*.txt, sorted by file name, each
encoded with the lengen sentencepiece model WITHOUT BOS/EOS, concatenated with EOS (id 2)
after every document.  Training sequences are random 512-token windows of that stream
(seeded numpy RNG).  Zoo v2 mixes in retrieval (zoo/README.md, "Training recipe"): a
fraction of the sequences end in one retrieval example (a passkey, key-value needles
in the style of RULER's niah, or a repeated span that rewards induction-style copying),
whose filler is again train text.  Held-out splits (kjv-heldout, sotu-heldout, austen)
are never read here.
"""
import glob
import hashlib
import os
from typing import List, Tuple

import numpy as np

EOS_ID = 2

# --- passkey template (keep in sync with zoo/README.md) ---------------------------------
PASSKEY_SENTENCE = "The pass key is {key}. Remember it. {key} is the pass key."
PASSKEY_QUESTION = "What is the pass key? The pass key is {key}"
PASSKEY_MIN_KEY = 10000
PASSKEY_MAX_KEY = 99999

# --- key-value needles (the niah template of evals/needle_tasks.h) ----------------------
# The keys come from word lists that are disjoint from the evaluation's (evals/
# needle_tasks.cpp), so a model that retrieves at evaluation time has learned the
# format and copying, not the evaluation's keys.
KV_NEEDLE = "One of the special magic numbers for {key} is: {value}."
KV_QUESTION = ("What is the special magic number for {key} mentioned in the provided text? "
               "One of the special magic numbers for {key} is: {value}")
KV_ADJECTIVES = ["ancient", "azure", "bold", "breezy", "cheerful", "cosmic", "daring", "dim",
                 "electric", "fancy", "frosty", "grand", "happy", "hidden", "keen", "lucky",
                 "mellow", "modest", "narrow", "olive", "plain", "polar", "royal", "scarlet",
                 "shy", "smooth", "sunny", "swift", "tiny", "vivid", "warm", "young"]
KV_NOUNS = ["acorn", "apple", "arrow", "bridge", "castle", "cloud", "coral", "desert",
            "dragon", "engine", "fountain", "glacier", "hammer", "helmet", "jungle", "kettle",
            "ladder", "magnet", "marble", "needle", "ocean", "parrot", "planet", "rocket",
            "sparrow", "stone", "tiger", "tulip", "violin", "wagon", "whale", "zebra"]
KV_MIN_VALUE = 1000000
KV_MAX_VALUE = 9999999
# Which retrieval example a retrieval sequence ends in (equal shares).
RETRIEVAL_KINDS = ("passkey", "kv", "repeat", "copy")


def load_sp(model_path: str):
    import sentencepiece as spm
    return spm.SentencePieceProcessor(model_file=model_path)


def corpus_files(corpus_dir: str) -> List[str]:
    files = sorted(glob.glob(os.path.join(corpus_dir, "*.txt")))
    if not files:
        raise FileNotFoundError(f"no *.txt under {corpus_dir}")
    return files


def tokenize_corpus(corpus_dir: str, sp_model: str, cache_dir: str = "build/zoo") -> np.ndarray:
    """int32 token stream of the corpus (cached under cache_dir, keyed by content hash)."""
    files = corpus_files(corpus_dir)
    h = hashlib.sha256()
    with open(sp_model, "rb") as f:
        h.update(f.read())
    for fn in files:
        h.update(os.path.basename(fn).encode())
        with open(fn, "rb") as f:
            h.update(hashlib.sha256(f.read()).digest())
    key = h.hexdigest()[:16]
    cache = os.path.join(cache_dir, f"train_tokens_{key}.npy")
    if os.path.exists(cache):
        return np.load(cache)
    sp = load_sp(sp_model)
    out: List[int] = []
    for fn in files:
        with open(fn, encoding="utf-8") as f:
            text = f.read()
        out.extend(sp.encode(text))
        out.append(EOS_ID)
    arr = np.asarray(out, dtype=np.int32)
    os.makedirs(cache_dir, exist_ok=True)
    np.save(cache + ".tmp.npy", arr)
    os.replace(cache + ".tmp.npy", cache)
    return arr


def passkey_example(sp, stream: np.ndarray, length: int, rng: np.random.Generator) -> Tuple[List[int], int]:
    """One passkey example of exactly `length` tokens:
       filler[:depth] + enc(SENTENCE) + filler[depth:] + enc(QUESTION)
    filler = a random window of the train stream, depth uniform in [0, len(filler)].
    Returns (tokens, key)."""
    key = int(rng.integers(PASSKEY_MIN_KEY, PASSKEY_MAX_KEY + 1))
    s = sp.encode(PASSKEY_SENTENCE.format(key=key))
    q = sp.encode(PASSKEY_QUESTION.format(key=key))
    n_fill = length - len(s) - len(q)
    if n_fill < 0:
        raise ValueError("passkey example longer than requested length")
    start = int(rng.integers(0, len(stream) - n_fill))
    filler = stream[start:start + n_fill].tolist()
    depth = int(rng.integers(0, n_fill + 1))
    toks = filler[:depth] + s + filler[depth:] + q
    assert len(toks) == length
    return toks, key


def kv_example(sp, stream: np.ndarray, length: int, rng: np.random.Generator,
               max_needles: int = 4) -> List[int]:
    """One key-value retrieval example of exactly `length` tokens: 1..max_needles needles
    (distinct keys, 7-digit values) at random token positions of a train-text filler,
    then the question about one of them, ending in its value."""
    n = int(rng.integers(1, max_needles + 1))
    ids = rng.choice(len(KV_ADJECTIVES) * len(KV_NOUNS), size=n, replace=False)
    keys = [f"{KV_ADJECTIVES[i // len(KV_NOUNS)]}-{KV_NOUNS[i % len(KV_NOUNS)]}" for i in ids]
    values = [int(v) for v in rng.integers(KV_MIN_VALUE, KV_MAX_VALUE + 1, size=n)]
    needles = [sp.encode(KV_NEEDLE.format(key=k, value=v)) for k, v in zip(keys, values)]
    asked = int(rng.integers(0, n))
    q = sp.encode(KV_QUESTION.format(key=keys[asked], value=values[asked]))
    # short examples keep the asked needle and drop others until they fit
    while len(needles) > 1 and length - sum(len(x) for x in needles) - len(q) < 0:
        drop = next(i for i in range(len(needles) - 1, -1, -1) if i != asked)
        del needles[drop]
        asked -= drop < asked
    n = len(needles)
    n_fill = length - sum(len(x) for x in needles) - len(q)
    if n_fill < 0:
        return passkey_example(sp, stream, length, rng)[0]
    start = int(rng.integers(0, len(stream) - n_fill))
    filler = stream[start:start + n_fill].tolist()
    cuts = sorted(int(c) for c in rng.integers(0, n_fill + 1, size=n))
    toks: List[int] = []
    prev = 0
    for cut, needle in zip(cuts, needles):
        toks += filler[prev:cut] + needle
        prev = cut
    toks += filler[prev:] + q
    assert len(toks) == length
    return toks


def repeat_example(stream: np.ndarray, length: int, rng: np.random.Generator,
                   min_span: int = 16, max_span: int = 64) -> List[int]:
    """A train-text window of `length` tokens in which one span of 16..64 tokens occurs a
    second time later on: the second copy is predictable only by copying the first
    (induction).  Returns the tokens."""
    start = int(rng.integers(0, len(stream) - length))
    toks = stream[start:start + length].tolist()
    m = int(rng.integers(min_span, min(max_span, length // 2) + 1))
    a = int(rng.integers(0, length - 2 * m + 1))
    b = int(rng.integers(a + m, length - m + 1))
    toks[b:b + m] = toks[a:a + m]
    return toks


def copy_example(stream: np.ndarray, length: int, rng: np.random.Generator,
                 min_span: int = 8, max_span: int = 64) -> List[int]:
    """`length` tokens made of one span of 8..64 random tokens (drawn from the stream:
    text frequencies, no text order) repeated back to back.  Every token after the
    first copy is predictable only by copying: the strongest training signal for an
    induction head (Olsson et al. 2022), which passkey and niah retrieval rely on."""
    m = int(rng.integers(min_span, max(min_span, min(max_span, length // 2)) + 1))
    span = stream[rng.integers(0, len(stream), size=m)].tolist()
    reps = -(-length // m)
    return (span * reps)[:length]


class CopyBatcher:
    """Deterministic batches [B, T + 1] of the copy curriculum (zoo v2, stage 1): each row is
    one span of 8..32 tokens drawn uniformly from the vocabulary (ids >= 16, no control
    pieces) repeated back to back.  Uniform ids make every repeat unambiguous (a span drawn
    with text frequencies repeats "the" and "," inside itself), and short rows make the
    attention gradient towards the earlier copy strong: together they turn the ~1500-step
    plateau of copying at T = 512 into a few hundred steps (zoo/README.md, "Zoo v2")."""

    def __init__(self, vocab_size: int, T: int, B: int, seed: int,
                 min_span: int = 8, max_span: int = 32, alphabet_frac: float = 0.0,
                 alphabet: int = 10):
        """alphabet_frac (zoo v3): share of rows whose span is drawn from `alphabet` ids
        only (fresh ones per row), so that a token recurs inside the span and only the
        tokens before it tell where the copy goes on, as with the digits of a pass key."""
        self.vocab_size, self.T, self.B = vocab_size, T, B
        self.min_span, self.max_span = min_span, max_span
        self.alphabet_frac, self.alphabet = alphabet_frac, alphabet
        self.rng = np.random.default_rng(seed)

    def state(self) -> dict:
        return {"rng": self.rng.bit_generator.state}

    def load_state(self, st: dict) -> None:
        self.rng.bit_generator.state = st["rng"]

    def row(self, length: int, span: int = 0) -> List[int]:
        m = span or int(self.rng.integers(self.min_span, min(self.max_span, length // 2) + 1))
        if self.alphabet_frac > 0 and self.rng.random() < self.alphabet_frac:
            letters = self.rng.choice(np.arange(16, self.vocab_size), self.alphabet, replace=False)
            ids = letters[self.rng.integers(0, self.alphabet, size=m)].tolist()
        else:
            ids = self.rng.integers(16, self.vocab_size, size=m).tolist()
        return (ids * (-(-length // m)))[:length]

    def next(self) -> np.ndarray:
        return np.array([self.row(self.T + 1) for _ in range(self.B)], dtype=np.int64)


class Batcher:
    """Deterministic batches [B, T] of token ids (int64 numpy)."""

    def __init__(self, stream: np.ndarray, sp, T: int, B: int, seed: int,
                 passkey_frac: float = 0.05, passkey_min_len: int = 64,
                 retrieval_frac: float = 0.0, full_frac: float = 0.0):
        """passkey_frac: share of sequences ending in a passkey example (zoo v1);
        retrieval_frac: share ending in a passkey, kv or repeat example, chosen with
        equal odds (zoo v2).  Both draw the example length uniformly in
        [passkey_min_len, T], except for a share full_frac of examples that fill the
        whole row (zoo v4): with uniform lengths and depths a needle lies more than
        0.8 T before its question in ~1% of examples, so the retrieval the harness
        asks for at depth 10 of T was barely trained."""
        self.stream = stream
        self.sp = sp
        self.T = T
        self.B = B
        self.rng = np.random.default_rng(seed)
        self.passkey_frac = passkey_frac
        self.retrieval_frac = retrieval_frac
        self.passkey_min_len = passkey_min_len
        self.full_frac = full_frac
        self.n_passkey = 0
        self.n_kinds = {k: 0 for k in RETRIEVAL_KINDS}
        self.n_seq = 0

    def state(self) -> dict:
        """Everything needed to resume the exact batch sequence."""
        return {"rng": self.rng.bit_generator.state, "n_passkey": self.n_passkey,
                "n_kinds": dict(self.n_kinds), "n_seq": self.n_seq}

    def load_state(self, st: dict) -> None:
        self.rng.bit_generator.state = st["rng"]
        self.n_passkey = st["n_passkey"]
        self.n_kinds = dict(st["n_kinds"])
        self.n_seq = st["n_seq"]

    def example(self, kind: str, length: int) -> List[int]:
        if kind == "passkey":
            return passkey_example(self.sp, self.stream, length, self.rng)[0]
        if kind == "kv":
            return kv_example(self.sp, self.stream, length, self.rng)
        if kind == "copy":
            return copy_example(self.stream, length, self.rng)
        return repeat_example(self.stream, length, self.rng)

    def place_tail(self, row: np.ndarray, kind: str) -> None:
        """The last Lp tokens of row become one example, preceded by EOS (Lp < T)."""
        T = self.T
        if self.full_frac > 0 and self.rng.random() < self.full_frac:
            Lp = T
        else:
            Lp = int(self.rng.integers(self.passkey_min_len, T + 1))
        toks = self.example(kind, Lp - 1 if Lp < T else T)
        if Lp < T:
            row[T - Lp] = EOS_ID
            row[T - Lp + 1:] = toks
        else:
            row[:] = toks

    def next(self) -> np.ndarray:
        T = self.T
        out = np.empty((self.B, T), dtype=np.int64)
        for b in range(self.B):
            start = int(self.rng.integers(0, len(self.stream) - T))
            row = self.stream[start:start + T].astype(np.int64)
            if self.retrieval_frac > 0:
                if self.rng.random() < self.retrieval_frac:
                    kind = RETRIEVAL_KINDS[int(self.rng.integers(0, len(RETRIEVAL_KINDS)))]
                    self.place_tail(row, kind)
                    self.n_kinds[kind] += 1
                    self.n_passkey += kind == "passkey"
            elif self.rng.random() < self.passkey_frac:
                self.place_tail(row, "passkey")
                self.n_passkey += 1
            out[b] = row
            self.n_seq += 1
        return out
