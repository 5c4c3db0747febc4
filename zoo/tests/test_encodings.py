"""Each encoding's bias / rotation equals a naive direct formula on small T."""
import math

import pytest
import torch

from zoo.model import Rope, Sinusoidal, alibi_slopes, build_model

CPU = torch.device("cpu")


def causal_mask(qs, qe):
    i = torch.arange(qs, qe).unsqueeze(1)
    j = torch.arange(qe).unsqueeze(0)
    return j <= i


def perturbed(enc, **kw):
    torch.manual_seed(0)
    m = build_model(enc, **kw)
    with torch.no_grad():
        for p in m.pos.parameters():
            p.add_(torch.randn_like(p) * 0.2)
    return m


def test_alibi_slopes_reference_values():
    assert alibi_slopes(4) == [2 ** -2, 2 ** -4, 2 ** -6, 2 ** -8]
    assert alibi_slopes(8) == [2 ** (-k) for k in range(1, 9)]
    # non-power-of-2 (reference get_slopes): slopes(4) + slopes(8)[0::2][:2]
    assert alibi_slopes(6) == [2 ** -2, 2 ** -4, 2 ** -6, 2 ** -8, 2 ** -1, 2 ** -3]


@pytest.mark.parametrize("train", [False, True])
def test_alibi_naive(train):
    m = build_model("alibi").train(train)
    ctx = m.pos.prepare(70, CPU)
    for qs, qe in [(0, 70), (30, 70), (0, 1)]:
        b = m.pos.bias_matrix(0, qs, qe, ctx)
        for h, slope in enumerate(alibi_slopes(4)):
            for i in range(qs, qe):
                for j in range(0, i + 1):
                    assert abs(float(b[h, i - qs, j]) + slope * (i - j)) < 1e-5


@pytest.mark.parametrize("train", [False, True])
def test_kerple_naive(train):
    m = perturbed("kerple").train(train)
    ctx = m.pos.prepare(50, CPU)
    for layer in range(2):
        b = m.pos.bias_matrix(layer, 20, 50, ctx)
        r1 = m.pos.r1[layer].clamp(min=1e-2)
        r2 = m.pos.r2[layer].clamp(min=1e-2)
        for h in range(4):
            for i in range(20, 50):
                for j in range(0, i + 1):
                    ref = -float(r1[h]) * math.log(1 + float(r2[h]) * (i - j))
                    assert abs(float(b[h, i - 20, j]) - ref) < 1e-5


def t5_bucket_reference(relative_position, num_buckets=32, max_distance=128):
    """Transcription of T5's _relative_position_bucket, bidirectional=False, for one int
    (relative_position = memory_position - query_position = j - i)."""
    n = -relative_position
    n = max(n, 0)
    max_exact = num_buckets // 2
    if n < max_exact:
        return n
    val = max_exact + int(math.log(n / max_exact) / math.log(max_distance / max_exact)
                          * (num_buckets - max_exact))
    return min(val, num_buckets - 1)


@pytest.mark.parametrize("train", [False, True])
def test_t5_naive(train):
    m = perturbed("t5").train(train)
    with torch.no_grad():
        m.pos.rel_bias.copy_(torch.randn(32, 4))
    T = 400
    ctx = m.pos.prepare(T, CPU)
    b = m.pos.bias_matrix(1, 300, T, ctx)
    tab = m.pos.rel_bias
    for i in range(300, T, 7):
        for j in range(0, i + 1):
            k = t5_bucket_reference(j - i)
            assert torch.allclose(b[:, i - 300, j], tab[k], atol=1e-6)
    # buckets: 0..15 exact, 31 reached at distance >= 128, shared across layers
    assert t5_bucket_reference(-15) == 15 and t5_bucket_reference(-128) == 31
    assert torch.equal(b, m.pos.bias_matrix(0, 300, T, ctx))


def fire_naive(m, layer, i, j):
    s = 0 if m.pos.shared else layer
    c = float(m.pos.c[s].abs().clamp(min=1e-4))
    L = float((m.pos.L_mult[s].abs() * m.pos.L_base).clamp(min=1.0))
    psi = lambda x: math.log(c * x + 1)  # noqa: E731
    x = psi(i - j) / psi(max(L, i))
    h = torch.relu(x * m.pos.W1[s].double() + m.pos.b1[s].double())
    return (m.pos.W2[s].double() @ h + m.pos.b2[s].double())


@pytest.mark.parametrize("enc", ["fire", "fire-s"])
def test_fire_direct_naive(enc):
    m = perturbed(enc).train()
    with torch.no_grad():
        m.pos.L_mult.fill_(20 / m.pos.L_base)  # L = 20: rows on both sides of L
    for layer in range(2):
        b = m.pos.bias_matrix(layer, 10, 40, [])
        for i in range(10, 40, 3):
            for j in range(0, i + 1):
                ref = fire_naive(m, layer, i, j)
                assert torch.allclose(b[:, i - 10, j].double(), ref, atol=5e-5, rtol=1e-5)


@pytest.mark.parametrize("enc", ["fire", "fire-s"])
@pytest.mark.parametrize("L", [128.0, 37.5, 700.0])
def test_fire_fast_matches_direct(enc, L):
    """Fast eval path (exact distance table for i < L, gridded MLP for i >= L) equals the
    direct MLP on every (i, j) to <= 1e-4."""
    m = perturbed(enc)
    with torch.no_grad():
        m.pos.W1.mul_(3.0)  # steeper f than the init: harder for the table
        m.pos.L_mult.fill_(L / m.pos.L_base)
    T = 1536
    m.eval()
    ctx = m.pos.prepare(T, CPU)
    worst = 0.0
    for layer in range(2):
        for qs, qe in [(0, 256), (20, 90), (100, 612), (1024, 1536)]:
            fast = m.pos.bias_matrix(layer, qs, qe, ctx)
            direct = m.pos.direct_bias(layer, qs, qe).flip(-1)
            mask = causal_mask(qs, qe)
            worst = max(worst, float((fast - direct).abs()[:, mask].max()))
    assert worst <= 1e-4, worst


def test_sinusoidal_naive():
    s = Sinusoidal(2, 4, 16, 512)
    pe = s.abs_embedding(30, CPU)
    for p in range(30):
        for k in range(8):
            ang = p / (10000 ** (2 * k / 16))
            assert abs(float(pe[p, 2 * k]) - math.sin(ang)) < 1e-6
            assert abs(float(pe[p, 2 * k + 1]) - math.cos(ang)) < 1e-6


def naive_rope_angles(d, T, scaling, s, base=10000.0, L=512):
    """Per-position, per-frequency angles and the q/k scale, from the papers' formulas."""
    theta = [base ** (-2 * k / d) for k in range(d // 2)]
    pos = list(range(T))
    mscale = 1.0
    if s > 1 and scaling == "pi":
        pos = [p / s for p in pos]
    elif s > 1 and scaling == "ntk":
        b2 = base * s ** (d / (d - 2))
        theta = [b2 ** (-2 * k / d) for k in range(d // 2)]
    elif s > 1 and scaling == "yarn":
        new = []
        for t in theta:
            r = L / (2 * math.pi / t)
            gamma = min(1.0, max(0.0, (r - 1) / (32 - 1)))
            new.append((1 - gamma) * t / s + gamma * t)
        theta = new
        mscale = 0.1 * math.log(s) + 1
    return [[p * t for t in theta] for p in pos], mscale


@pytest.mark.parametrize("scaling", ["none", "pi", "ntk", "yarn"])
@pytest.mark.parametrize("eval_len", [0, 512, 2048])
def test_rope_rotation_naive(scaling, eval_len):
    d = 32
    r = Rope(2, 4, 4 * d, 512, scaling=scaling)
    r.set_eval_length(eval_len)
    T = 40
    cos, sin = r.rope_tables(T, CPU)
    s = max(1.0, (eval_len if eval_len > 0 else T) / 512)
    angles, mscale = naive_rope_angles(d, T, scaling, s)
    x = torch.randn(T, d, dtype=torch.float64)
    rot = (x * cos.double() + torch.cat([-x[:, d // 2:], x[:, :d // 2]], 1) * sin.double())
    for p in range(T):
        for k in range(d // 2):
            a = angles[p][k]
            x1, x2 = float(x[p, k]), float(x[p, k + d // 2])
            ref1 = mscale * (x1 * math.cos(a) - x2 * math.sin(a))
            ref2 = mscale * (x1 * math.sin(a) + x2 * math.cos(a))
            assert abs(float(rot[p, k]) - ref1) < 1e-4 * (1 + abs(ref1))
            assert abs(float(rot[p, k + d // 2]) - ref2) < 1e-4 * (1 + abs(ref2))


def test_rope_relative():
    """q.k after RoPE depends only on the position difference (plain RoPE)."""
    torch.manual_seed(0)
    r = Rope(1, 1, 32, 512)
    cos, sin = r.rope_tables(200, CPU)
    q, k = torch.randn(32), torch.randn(32)

    def rot(x, p):
        return x * cos[p] + torch.cat([-x[16:], x[:16]]) * sin[p]
    a = torch.dot(rot(q, 50), rot(k, 40))
    b = torch.dot(rot(q, 150), rot(k, 140))
    assert abs(float(a - b)) < 1e-4


@pytest.mark.parametrize("enc", ["rope-pi", "rope-ntk", "rope-yarn"])
def test_rope_scalings_only_change_above_train_length(enc):
    torch.manual_seed(0)
    plain = build_model("rope").eval()
    scaled = build_model(enc).eval()
    scaled.load_state_dict(plain.state_dict())
    x = torch.randint(0, 4096, (1, 600))
    with torch.no_grad():
        ref_short = plain(x[:, :300])
        ref_long = plain(x)
        for L in [0, 100, 300, 512]:
            scaled.set_eval_length(L)
            assert torch.equal(scaled(x[:, :300]), ref_short), L
        scaled.set_eval_length(512)
        assert torch.equal(scaled(x), ref_long)  # explicit 512: no scaling even at T=600
        scaled.set_eval_length(600)
        assert (scaled(x) - ref_long).abs().max() > 1e-3
        scaled.set_eval_length(0)  # dynamic: uses T
        assert (scaled(x) - ref_long).abs().max() > 1e-3
        assert torch.equal(scaled(x[:, :512]), plain(x[:, :512]))
