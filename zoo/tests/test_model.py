"""Whole-model properties: causality, script == eager, block == full attention."""
import pytest
import torch

from zoo.model import ENCODINGS, build_model, count_params


def model(enc, **kw):
    torch.manual_seed(0)
    m = build_model(enc, **kw).eval()
    with torch.no_grad():
        for p in m.pos.parameters():
            p.add_(torch.randn_like(p) * 0.1)
    return m


@pytest.mark.parametrize("enc", ENCODINGS)
@pytest.mark.parametrize("smear", [False, True])
def test_causal(enc, smear):
    m = model(enc, block_size=64, smear_keys=smear)
    x = torch.randint(0, 4096, (2, 300), generator=torch.Generator().manual_seed(1))
    y = x.clone()
    y[:, 200:] = torch.randint(0, 4096, (2, 100), generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        a, b = m(x), m(y)
    assert torch.equal(a[:, :200], b[:, :200])
    assert (a[:, 200:] - b[:, 200:]).abs().max() > 1e-3


@pytest.mark.parametrize("enc", ENCODINGS)
@pytest.mark.parametrize("smear", [False, True])
def test_scripted_equals_eager(enc, smear):
    m = model(enc, block_size=128, smear_keys=smear)
    s = torch.jit.script(m)
    x = torch.randint(0, 4096, (2, 333))
    with torch.no_grad():
        assert torch.allclose(m(x), s(x), atol=1e-6, rtol=0)


@pytest.mark.parametrize("enc", ENCODINGS)
def test_block_equals_full_attention(enc):
    m = model(enc, block_size=1024)
    x = torch.randint(0, 4096, (1, 1024), generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        full = m(x)
        m.block_size = 160  # uneven blocks, last one partial
        blocked = m(x)
    assert (full - blocked).abs().max() <= 1e-5


@pytest.mark.parametrize("enc", ["fire", "fire-s", "kerple", "t5", "alibi"])
def test_train_path_equals_eval_path(enc):
    """Training uses differentiable gathers / the direct FIRE MLP, eval the fast paths."""
    m = model(enc, block_size=96)
    x = torch.randint(0, 4096, (2, 300))
    with torch.no_grad():
        e = m(x)
        m.train()
        t = m(x)
    assert (e - t).abs().max() <= 1e-4


def smeared_pair(enc, logit: float):
    """A smeared-key model with every mix logit at `logit` and a plain model with the
    same weights (the smear parameters are the only extra ones)."""
    plain = model(enc, block_size=64)
    smeared = build_model(enc, block_size=64, smear_keys=True).eval()
    state = dict(plain.state_dict())
    for i in range(len(smeared.blocks)):
        state[f"blocks.{i}.smear"] = torch.full([smeared.n_heads], logit)
    smeared.load_state_dict(state, strict=True)
    return plain, smeared


@pytest.mark.parametrize("enc", ["nope", "rope", "fire", "alibi"])
def test_smeared_keys_mix_with_the_previous_key(enc):
    """a = 1 (logit +inf) is the plain model; a = 0 (logit -inf) makes key j the key of
    token j-1: the plain model on the input shifted by one, with the keys' own tokens
    one step behind, so the first position (k_{-1} = 0) attends uniformly."""
    x = torch.randint(0, 4096, (2, 150), generator=torch.Generator().manual_seed(4))
    plain, smeared = smeared_pair(enc, 60.0)
    with torch.no_grad():
        assert (plain(x) - smeared(x)).abs().max() <= 1e-5
    plain, smeared = smeared_pair(enc, -60.0)
    with torch.no_grad():
        assert (plain(x) - smeared(x)).abs().max() > 1e-2
        # the formula, at the first layer's keys: k'_j = k_{j-1}
        blk = smeared.blocks[0]
        k = blk.qkv(blk.ln1(smeared.tok_emb(x)))[:, :, 128:256].view(2, 150, 4, 32).transpose(1, 2)
        got = smeared.smear(blk.smear, k, [], 0, 0)
        assert got[:, :, 0].abs().max() <= 1e-12
        assert (got[:, :, 1:] - k[:, :, :-1]).abs().max() <= 1e-6


def test_smear_logits_train():
    m = build_model("nope", smear_keys=True).train()
    x = torch.randint(0, 4096, (2, 64))
    m(x).logsumexp(-1).mean().backward()
    for blk in m.blocks:
        assert blk.smear.grad is not None and blk.smear.grad.abs().sum() > 0


def test_gradients_flow_to_position_params():
    for enc in ["fire", "kerple", "t5"]:
        m = model(enc).train()
        x = torch.randint(0, 4096, (2, 64))
        m(x).logsumexp(-1).mean().backward()
        for n, p in m.pos.named_parameters():
            assert p.grad is not None and p.grad.abs().sum() > 0, (enc, n)


def test_zoo_size():
    for enc in ENCODINGS:
        n = count_params(build_model(enc))
        assert 900_000 < n < 1_000_000  # fp16 export <= 2 MB


def test_forward_contract_shapes():
    m = torch.jit.script(model("alibi"))
    for B, T in [(1, 1), (3, 17)]:
        y = m(torch.zeros(B, T, dtype=torch.int64))
        assert y.shape == (B, T, 4096) and y.dtype == torch.float32
