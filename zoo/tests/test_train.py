"""Training recipe: the v2 retrieval mix and resumable training (no real training)."""
import os

import numpy as np
import torch

from zoo.data import EOS_ID, Batcher, CopyBatcher, kv_example, load_sp, repeat_example, tokenize_corpus
from zoo.train import train

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SP = os.path.join(ROOT, "data/tokenizer/lengen-4096.model")
CORPUS = os.path.join(ROOT, "tests/data/corpus")


def stream(tmp_path):
    return tokenize_corpus(CORPUS, SP, cache_dir=str(tmp_path))


def test_kv_example_length_and_answer(tmp_path):
    sp = load_sp(SP)
    st = stream(tmp_path)
    rng = np.random.default_rng(3)
    for length in (80, 120, 200, 511):
        toks = kv_example(sp, st, length, rng)
        assert len(toks) == length
        text = sp.decode(toks)
        # the asked value is the last 7 digits and occurs in a needle before the question
        value = text.split(" is: ")[-1]
        assert value.isdigit() and len(value) == 7
        assert text.count(value) == 2


def test_repeat_example_has_a_copied_span(tmp_path):
    st = stream(tmp_path)
    rng = np.random.default_rng(4)
    toks = repeat_example(st, 300, rng)
    assert len(toks) == 300
    found = any(toks[b:b + 16] == toks[a:a + 16]
                for a in range(0, 284) for b in range(a + 16, 285))
    assert found


def test_batcher_mix_and_state_round_trip(tmp_path):
    sp = load_sp(SP)
    st = stream(tmp_path)
    b = Batcher(st, sp, 128, 8, seed=1, retrieval_frac=0.5, passkey_min_len=64)
    b.next()
    saved = b.state()
    x1 = b.next()
    b2 = Batcher(st, sp, 128, 8, seed=999, retrieval_frac=0.5, passkey_min_len=64)
    b2.load_state(saved)
    assert np.array_equal(x1, b2.next())
    for _ in range(20):
        b.next()
    assert all(v > 0 for v in b.n_kinds.values())


def test_full_frac_sets_the_share_of_whole_row_examples(tmp_path):
    sp = load_sp(SP)
    st = stream(tmp_path)
    T, B = 128, 200
    for frac, lo, hi in ((0.0, 0, 10), (0.5, 70, 130), (1.0, B, B)):
        b = Batcher(st, sp, T, B, seed=2, retrieval_frac=1.0, passkey_min_len=64,
                    full_frac=frac)
        lengths = []
        real = b.example
        b.example = lambda kind, n: lengths.append(n) or real(kind, n)
        rows = b.next()
        assert len(lengths) == B
        full = sum(n == T for n in lengths)
        assert lo <= full <= hi, (frac, full)
        # a shorter example sits at the end of its row, after an EOS
        for r, n in zip(rows, lengths):
            if n < T:
                assert r[T - n - 1] == EOS_ID


def test_copy_batcher_rows_repeat_a_uniform_span():
    b = CopyBatcher(4096, 64, 8, seed=5)
    b.next()
    saved = b.state()
    x = b.next()
    assert x.shape == (8, 65) and x.min() >= 16 and x.max() < 4096
    for row in x.tolist():
        m = next(m for m in range(8, 33) if row[m:] == row[:-m])  # the period is the span
        assert row[:m] != row[1:m + 1]
    b2 = CopyBatcher(4096, 64, 8, seed=6)
    b2.load_state(saved)
    assert np.array_equal(x, b2.next())


def test_copy_batcher_alphabet_rows_reuse_few_ids():
    """zoo v3: about alphabet_frac of the rows draw their span from 10 ids, so a token
    recurs inside the span (the pass key's digits); uniform spans rarely repeat one."""
    def repeat_share(frac):
        rows = CopyBatcher(4096, 64, 400, seed=7, alphabet_frac=frac).next().tolist()
        periods = [next(m for m in range(8, 33) if row[m:] == row[:-m]) for row in rows]
        return sum(len(set(row[:m])) < m for row, m in zip(rows, periods)) / len(rows)
    assert repeat_share(0.0) < 0.15
    assert 0.4 < repeat_share(0.5) < 0.65


def test_killed_run_resumes_to_the_same_result(tmp_path):
    """A run stopped at a resume point (inside the copy curriculum) and restarted equals
    the uninterrupted run, across the switch to the main stage."""
    os.chdir(ROOT)
    kw = dict(tokens=12 * 4 * 512, corpus=CORPUS, sp_model=SP, threads=1, batch_size=4,
              ckpt_every=10, probe_every=1000, log_every=5, copy_steps=15)
    full = tmp_path / "full"
    train("alibi", out_dir=str(full), **kw)
    part = tmp_path / "part"
    assert train("alibi", out_dir=str(part), stop_after=10, **kw) == {"stopped_at": 10}
    assert (part / "resume.pt").exists()
    train("alibi", out_dir=str(part), **kw)
    assert not (part / "resume.pt").exists()
    a = torch.load(full / "checkpoint.pt")["state_dict"]
    b = torch.load(part / "checkpoint.pt")["state_dict"]
    for k in a:
        assert torch.equal(a[k], b[k]), k
    assert (full / "loss.csv").read_text() != ""
    rows_a = [r.split(",")[:3] + r.split(",")[5:] for r in (full / "loss.csv").read_text().splitlines()]
    rows_b = [r.split(",")[:3] + r.split(",")[5:] for r in (part / "loss.csv").read_text().splitlines()]
    assert rows_a == rows_b
    stages = [r[-1] for r in rows_a[1:]]
    assert stages[:3] == ["copy"] * 3 and stages[-1] == "main" and len(rows_a) == 1 + 6
