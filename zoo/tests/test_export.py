"""Export round trip: TorchScript + lengen.json, fp16 storage, runs after .float()."""
import glob
import json
import os

import pytest
import torch

from zoo.export import make_meta, script_and_save
from zoo.model import ENCODINGS, build_model

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REQUIRED = ["name", "position_encoding", "train_length", "vocab_size", "tokenizer_sha256",
            "bos_id", "max_length"]


@pytest.mark.parametrize("enc", ["alibi", "fire", "rope-yarn", "t5"])
def test_roundtrip(tmp_path, enc):
    torch.manual_seed(0)
    m = build_model(enc).eval()
    ref = build_model(enc).eval()
    ref.load_state_dict(m.state_dict())
    ref = ref.half().float()  # what fp16 storage + upcast gives
    path = str(tmp_path / (enc + ".pt"))
    size = script_and_save(m, path, make_meta(m, enc, {}))
    assert size <= 2_000_000
    files = {"lengen.json": ""}
    lm = torch.jit.load(path, _extra_files=files)
    meta = json.loads(files["lengen.json"])
    for k in REQUIRED:
        assert k in meta
    assert meta["position_encoding"]["type"] == enc and meta["train_length"] == 512
    assert all(p.dtype == torch.float16 for p in lm.parameters())
    assert not any(p.requires_grad for p in lm.parameters())
    lm = lm.float()
    x = torch.randint(0, 4096, (1, 700))
    lm.set_eval_length(700)
    ref.set_eval_length(700)
    with torch.no_grad():
        assert torch.allclose(lm(x), ref(x), atol=1e-4, rtol=0)


@pytest.mark.parametrize("path", sorted(glob.glob(os.path.join(ROOT, "zoo", "models", "*.pt"))))
def test_exported_zoo_models(path):
    """Whatever zoo models exist obey the contract (skipped before training)."""
    assert os.path.getsize(path) <= 2_000_000
    files = {"lengen.json": ""}
    m = torch.jit.load(path, _extra_files=files).float()
    meta = json.loads(files["lengen.json"])
    for k in REQUIRED:
        assert k in meta
    assert meta["name"] == os.path.basename(path)[:-3]
    assert meta["vocab_size"] == 4096 and meta["train_length"] == 512
    assert meta["name"] in ENCODINGS
    m.set_eval_length(64)
    with torch.no_grad():
        y = m(torch.randint(0, 4096, (1, 64)))
    assert y.shape == (1, 64, 4096) and bool(torch.isfinite(y).all())


@pytest.mark.parametrize("enc", ["fire", "fire-s"])
def test_exported_fire_fast_path_matches_direct(enc):
    """On the exported (trained) FIRE model: the eval fast path == the direct MLP."""
    path = os.path.join(ROOT, "zoo", "models", enc + ".pt")
    if not os.path.exists(path):
        pytest.skip(enc + ".pt not exported yet")
    m = torch.jit.load(path).float().eval()
    T = 2048
    with torch.no_grad():
        ctx = m.pos.prepare(T, torch.device("cpu"))
        worst = 0.0
        for layer in range(2):
            for qs, qe in [(0, 512), (100, 612), (1536, 2048)]:
                fast = m.pos.bias_matrix(layer, qs, qe, ctx)
                direct = m.pos.direct_bias(layer, qs, qe).flip(-1)
                mask = torch.arange(qe).unsqueeze(0) <= torch.arange(qs, qe).unsqueeze(1)
                worst = max(worst, float((fast - direct).abs()[:, mask].max()))
    assert worst <= 1e-4, worst
