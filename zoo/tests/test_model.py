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
@pytest.mark.parametrize("conv", [False, True])
def test_causal(enc, conv):
    m = model(enc, block_size=64, qk_conv=conv)
    x = torch.randint(0, 4096, (2, 300), generator=torch.Generator().manual_seed(1))
    y = x.clone()
    y[:, 200:] = torch.randint(0, 4096, (2, 100), generator=torch.Generator().manual_seed(2))
    with torch.no_grad():
        a, b = m(x), m(y)
    assert torch.equal(a[:, :200], b[:, :200])
    assert (a[:, 200:] - b[:, 200:]).abs().max() > 1e-3


@pytest.mark.parametrize("enc", ENCODINGS)
@pytest.mark.parametrize("conv", [False, True])
def test_scripted_equals_eager(enc, conv):
    m = model(enc, block_size=128, qk_conv=conv)
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


def conv_pair(enc, wq, wk):
    """A model with q/k convolutions whose taps are wq, wk (per shift, all channels alike)
    and a plain model with the same weights (the taps are the only extra parameters)."""
    plain = model(enc, block_size=64)
    conv = build_model(enc, block_size=64, qk_conv=True).eval()
    state = dict(plain.state_dict())
    for i, blk in enumerate(conv.blocks):
        shape = blk.conv_q.shape
        state[f"blocks.{i}.conv_q"] = torch.tensor(wq).view(-1, 1, 1, 1).expand(shape).clone()
        state[f"blocks.{i}.conv_k"] = torch.tensor(wk).view(-1, 1, 1, 1).expand(shape).clone()
    conv.load_state_dict(state, strict=True)
    return plain, conv


@pytest.mark.parametrize("enc", ["nope", "rope", "fire", "alibi"])
def test_identity_taps_are_the_plain_model(enc):
    x = torch.randint(0, 4096, (2, 150), generator=torch.Generator().manual_seed(4))
    plain, conv = conv_pair(enc, [1.0, 0.0, 0.0], [1.0, 0.0, 0.0])
    with torch.no_grad():
        assert (plain(x) - conv(x)).abs().max() <= 1e-5
    plain, conv = conv_pair(enc, [1.0, 0.0, 0.0], [0.5, 0.5, 0.0])  # smeared keys
    with torch.no_grad():
        assert (plain(x) - conv(x)).abs().max() > 1e-2


def test_conv_starts_as_a_bigram_matcher():
    """Per head, channels [0, Dh/2) pair q_i with k_{j-1}, channels [Dh/2, Dh) pair
    q_{i-1} with k_{j-2}."""
    blk = build_model("nope", qk_conv=True).blocks[0]
    q, k = blk.conv_q[:, 0, 0], blk.conv_k[:, 0, 0]  # [3, Dh]
    assert torch.equal(q[:, 0], torch.tensor([1.0, 0, 0])) and torch.equal(k[:, 0], torch.tensor([0, 1.0, 0]))
    assert torch.equal(q[:, -1], torch.tensor([0, 1.0, 0])) and torch.equal(k[:, -1], torch.tensor([0, 0, 1.0]))


def test_conv_is_the_causal_depthwise_formula():
    """x'_i = sum_t w[t, channel] x_{i-t}, zeros before position 0, from a tail too."""
    m = build_model("nope", qk_conv=True)
    g = torch.Generator().manual_seed(6)
    w = torch.randn(3, 4, 1, 32, generator=g)
    x = torch.randn(2, 4, 20, 32, generator=g)
    got, tail = m.conv(w, x, torch.zeros(1, 4, 2, 32))
    want = torch.zeros_like(x)
    for i in range(20):
        for t in range(3):
            if i - t >= 0:
                want[:, :, i] += w[t, :, 0] * x[:, :, i - t]
    assert (got - want).abs().max() <= 1e-5 and torch.equal(tail, x[:, :, -2:])
    # the same in two calls: the tail carries positions 11 and 12 into the second
    a, ta = m.conv(w, x[:, :, :13], torch.zeros(1, 4, 2, 32))
    b, _ = m.conv(w, x[:, :, 13:], ta)
    assert (torch.cat([a, b], dim=2) - want).abs().max() <= 1e-5


def test_conv_taps_train_without_weight_decay():
    from zoo.train import DEFAULTS, make_optimizer
    m = build_model("nope", qk_conv=True).train()
    x = torch.randint(0, 4096, (2, 64))
    m(x).logsumexp(-1).mean().backward()
    for blk in m.blocks:
        assert blk.conv_q.grad.abs().sum() > 0 and blk.conv_k.grad.abs().sum() > 0
    opt = make_optimizer(m, dict(DEFAULTS))
    no_decay = {id(p) for g in opt.param_groups if g["weight_decay"] == 0 for p in g["params"]}
    assert all(id(blk.conv_q) in no_decay and id(blk.conv_k) in no_decay for blk in m.blocks)


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
