"""Training data for the zoo: the `train` split, tokenized, plus synthetic passkey examples.

Token stream: the documents of build/data/corpora/train/*.txt, sorted by file name, each
encoded with the lengen sentencepiece model WITHOUT BOS/EOS, concatenated with EOS (id 2)
after every document.  Training sequences are random 512-token windows of that stream
(seeded numpy RNG).  About 5% of the sequences end in a passkey-retrieval example
(template below, documented in zoo/README.md; the evaluation side reuses it).
Held-out splits (kjv-heldout, sotu-heldout, austen) are never read here.
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


class Batcher:
    """Deterministic batches [B, T] of token ids (int64 numpy)."""

    def __init__(self, stream: np.ndarray, sp, T: int, B: int, seed: int,
                 passkey_frac: float = 0.05, passkey_min_len: int = 64):
        self.stream = stream
        self.sp = sp
        self.T = T
        self.B = B
        self.rng = np.random.default_rng(seed)
        self.passkey_frac = passkey_frac
        self.passkey_min_len = passkey_min_len
        self.n_passkey = 0
        self.n_seq = 0

    def next(self) -> np.ndarray:
        T = self.T
        out = np.empty((self.B, T), dtype=np.int64)
        for b in range(self.B):
            start = int(self.rng.integers(0, len(self.stream) - T))
            row = self.stream[start:start + T].astype(np.int64)
            if self.rng.random() < self.passkey_frac:
                # the last Lp tokens become a passkey example (<= T tokens), preceded by EOS
                Lp = int(self.rng.integers(self.passkey_min_len, T + 1))
                toks, _ = passkey_example(self.sp, self.stream, Lp - 1 if Lp < T else T, self.rng)
                if Lp < T:
                    row[T - Lp] = EOS_ID
                    row[T - Lp + 1:] = toks
                else:
                    row[:] = toks
                self.n_passkey += 1
            out[b] = row
            self.n_seq += 1
        return out
