"""The committed fixture models (tests/fixtures/models) obey what the C++ tests expect."""
import glob
import json
import os

import pytest
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIX = os.path.join(ROOT, "tests", "fixtures", "models")
MODELS = ["tiny_alibi", "tiny_rope", "tiny_fire", "uniform", "tuple_out", "dict_out",
          "bad_shape", "bad_shape_2d", "small_vocab", "wrong_sig", "no_meta", "half_params",
          "fails_above_64", "induction_copy", "forgetful_cache", "wrong_cached_sig"]


def load(name):
    files = {"lengen.json": ""}
    m = torch.jit.load(os.path.join(FIX, name + ".pt"), _extra_files=files)
    meta = json.loads(files["lengen.json"]) if files["lengen.json"] else None
    return m, meta


def toks(B, T, seed=0):
    return torch.randint(0, 4096, (B, T), generator=torch.Generator().manual_seed(seed))


@pytest.mark.parametrize("name", MODELS)
def test_exists_small_and_loads(name):
    path = os.path.join(FIX, name + ".pt")
    assert os.path.getsize(path) <= 200 * 1024
    m, meta = load(name)
    if name == "no_meta":
        assert meta is None
    else:
        for k in ["name", "position_encoding", "train_length", "vocab_size",
                  "tokenizer_sha256", "bos_id", "max_length"]:
            assert k in meta, (name, k)
        assert meta["name"] == name
        assert meta["vocab_size"] == (100 if name == "small_vocab" else 4096)


@pytest.mark.parametrize("name", ["tiny_alibi", "tiny_rope", "tiny_fire"])
def test_tiny_models(name):
    m, meta = load(name)
    assert meta["train_length"] == 64 and meta["d_model"] == 16 and meta["n_layers"] == 1
    m = m.float()
    with torch.no_grad():
        y = m(toks(2, 100))
    assert y.shape == (2, 100, 4096) and y.dtype == torch.float32
    assert float(y.std()) > 0.5  # not near-uniform


def test_tiny_rope_set_eval_length():
    m, _ = load("tiny_rope")
    m = m.float()
    x = toks(1, 128)
    with torch.no_grad():
        m.set_eval_length(64)
        a = m(x)
        m.set_eval_length(32)
        b = m(x)
        m.set_eval_length(128)
        c = m(x)
    assert torch.equal(a, b)
    assert (a - c).abs().max() > 1e-4


def test_uniform_ppl_is_vocab():
    m, _ = load("uniform")
    x = toks(2, 50)
    y = m(x)
    assert y.shape == (2, 50, 4096)
    nll = -torch.log_softmax(y.double(), -1).gather(2, x.unsqueeze(2)).mean()
    assert abs(float(torch.exp(nll)) - 4096) < 1e-6


def test_tuple_and_dict():
    m, _ = load("tuple_out")
    out = m(toks(1, 5))
    assert isinstance(out, tuple) and out[0].shape == (1, 5, 4096)
    m, _ = load("dict_out")
    out = m(toks(1, 5))
    assert isinstance(out, dict) and out["logits"].shape == (1, 5, 4096)


def test_bad_shapes_and_vocab():
    m, meta = load("bad_shape")
    assert m(toks(1, 5)).shape[-1] != meta["vocab_size"]
    m, _ = load("bad_shape_2d")
    assert m(toks(1, 5)).dim() == 2
    m, meta = load("small_vocab")
    y = m.float()(torch.randint(0, 100, (1, 7)))
    assert y.shape == (1, 7, 100) and meta["vocab_size"] == 100


def test_wrong_sig():
    m, _ = load("wrong_sig")
    with pytest.raises(Exception):
        m(toks(1, 5))
    assert m(toks(1, 5), torch.zeros(1)).shape == (1, 5, 4096)


def test_half_params_needs_upcast():
    m, _ = load("half_params")
    assert all(p.dtype == torch.float16 for p in m.parameters())
    with pytest.raises(Exception):
        m(toks(1, 5))
    y = m.float()(toks(1, 5))
    assert y.dtype == torch.float32 and bool(torch.isfinite(y).all())


def test_fails_above_64():
    m, _ = load("fails_above_64")
    m = m.float()
    assert m(toks(1, 64)).shape == (1, 64, 4096)
    with pytest.raises(Exception):
        m(toks(1, 65))


def test_golden_nll_recomputed():
    g = json.load(open(os.path.join(FIX, "golden_nll.json")))
    assert g["model"] == "tiny_alibi.pt" and 1 <= len(g["windows"]) <= 8
    m, _ = load("tiny_alibi")
    m = m.float()
    with torch.no_grad():
        for w, ref in zip(g["windows"], g["nll"]):
            assert len(w) == 32 and len(ref) == 31
            lp = torch.log_softmax(m(torch.tensor([w]))[0].double(), -1)
            nll = [-float(lp[t, w[t + 1]]) for t in range(31)]
            assert max(abs(a - b) for a, b in zip(nll, ref)) < 1e-5
        # batched evaluation agrees too
        lp = torch.log_softmax(m(torch.tensor(g["windows"])).double(), -1)
        for wi, (w, ref) in enumerate(zip(g["windows"], g["nll"])):
            for t in range(31):
                assert abs(-float(lp[wi, t, w[t + 1]]) - ref[t]) < 1e-4


def test_golden_windows_come_from_tokenizer_and_corpus():
    spm = pytest.importorskip("sentencepiece")
    model = os.path.join(ROOT, "data", "tokenizer", "lengen-4096.model")
    docs = sorted(glob.glob(os.path.join(ROOT, "tests", "data", "corpus", "*.txt")))
    if not os.path.exists(model) or not docs:
        pytest.skip("tokenizer or fixture corpus missing")
    sp = spm.SentencePieceProcessor(model_file=model)
    ids = sp.encode(open(docs[0], encoding="utf-8").read())
    g = json.load(open(os.path.join(FIX, "golden_nll.json")))
    n = min(8, len(ids) // 32)
    assert g["windows"] == [ids[i * 32:(i + 1) * 32] for i in range(n)]


def test_induction_copy_cached_equals_full_and_copies():
    m, meta = load("induction_copy")
    x = torch.randint(0, 40, (2, 1300), generator=torch.Generator().manual_seed(4))
    with torch.no_grad():
        full = m(x)
        past, outs = [], []
        for a, b in [(0, 700), (700, 701), (701, 702), (702, 1300)]:
            logits, past = m.forward_cached(x[:, a:b], past, a)
            outs.append(logits)
    assert torch.equal(full, torch.cat(outs, dim=1))
    # a span repeated later is predicted token for token from its second occurrence on
    span = torch.arange(1000, 1040)
    seq = torch.cat([torch.arange(2000, 2100), span, torch.arange(3000, 3100), span]).unsqueeze(0)
    pred = m(seq)[0].argmax(-1)
    second = 100 + 40 + 100
    assert torch.equal(pred[second:second + 39], span[1:])
    # a token never seen before gives uniform logits
    assert bool((m(torch.arange(10).unsqueeze(0)) == 0).all())


def test_uniform_has_cached_forward():
    m, _ = load("uniform")
    logits, past = m.forward_cached(toks(3, 5), [], 0)
    assert logits.shape == (3, 5, 4096) and bool((logits == 0).all())


def test_forgetful_cache_disagrees_with_its_forward():
    m, _ = load("forgetful_cache")
    m = m.float()
    x = toks(1, 40)
    with torch.no_grad():
        _, past = m.forward_cached(x[:, :30], [], 0)
        step, _ = m.forward_cached(x[:, 30:], past, 30)
        assert (step - m(x)[:, 30:]).abs().max() > 1e-2
