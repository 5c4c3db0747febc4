"""The cached contract: forward_cached (prefill + steps, and a shared batch-1 prompt
broadcast over continuations) gives the full forward's logits for every encoding."""
from typing import List

import glob
import os

import pytest
import torch
from torch import Tensor

from zoo.model import ENCODINGS, build_model

T_TOTAL = 300  # blocks of 64 rows: crosses four block boundaries
SMALL = dict(d_model=32, n_layers=2, n_heads=4, train_length=128, block_size=64)


def model(enc: str, conv: bool = False):
    torch.manual_seed(0)
    m = build_model(enc, qk_conv=conv, **SMALL).eval()
    with torch.no_grad():
        for p in m.pos.parameters():
            p.add_(torch.randn_like(p) * 0.1)
        for blk in m.blocks:  # q/k convolutions: random taps, far from their start
            if conv:
                blk.conv_q.copy_(torch.randn(blk.conv_q.shape))
                blk.conv_k.copy_(torch.randn(blk.conv_k.shape))
    # RoPE scalings are active above train_length; FIRE rows i >= L take the table path
    m.set_eval_length(T_TOTAL)
    return m


def cached_logits(m, x: Tensor, cuts: List[int]) -> Tensor:
    """Logits of x [B, T] from forward_cached over the pieces [cuts[k], cuts[k+1])."""
    past: List[Tensor] = []
    outs = []
    for a, b in zip(cuts[:-1], cuts[1:]):
        logits, past = m.forward_cached(x[:, a:b], past, a)
        assert len(past) == (8 if m.qk_conv else 4) and past[0].shape == (x.size(0), 4, b, 8)
        if m.qk_conv:  # the unconvolved q and k of the last 2 positions
            assert past[2].shape == (x.size(0), 4, 2, 8) and past[3].shape == past[2].shape
        outs.append(logits)
    return torch.cat(outs, dim=1)


# prefill that ends inside a block, single steps across a block boundary, a chunk
# spanning two boundaries, then the rest
CUTS = [0, 126, 127, 128, 129, 130, 200, 257, T_TOTAL]


@pytest.mark.parametrize("enc", ENCODINGS)
@pytest.mark.parametrize("scripted", [False, True])
@pytest.mark.parametrize("conv", [False, True])
def test_cached_equals_full(enc, scripted, conv):
    m = model(enc, conv)
    if scripted:
        m = torch.jit.script(m)
    x = torch.randint(0, 4096, (2, T_TOTAL), generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        full = m(x)
        cached = cached_logits(m, x, CUTS)
    assert (full - cached).abs().max().item() <= 1e-4


@pytest.mark.parametrize("enc", ENCODINGS)
@pytest.mark.parametrize("conv", [False, True])
def test_shared_prompt_broadcasts_over_continuations(enc, conv):
    """Ranking: one batch-1 prefill, then N continuations in one call."""
    m = torch.jit.script(model(enc, conv))
    g = torch.Generator().manual_seed(2)
    prompt = torch.randint(0, 4096, (1, 250), generator=g)
    conts = torch.randint(0, 4096, (3, 6), generator=g)
    with torch.no_grad():
        _, past = m.forward_cached(prompt, [], 0)
        step, new_past = m.forward_cached(conts, past, 250)
        assert new_past[0].shape == (3, 4, 256, 8)
        for b in range(3):
            full = m(torch.cat([prompt[0], conts[b]]).unsqueeze(0))[0, 250:]
            assert (full - step[b]).abs().max().item() <= 1e-4


def test_bad_past_is_an_error():
    m = torch.jit.script(model("alibi"))
    x = torch.zeros(1, 10, dtype=torch.int64)
    _, past = m.forward_cached(x, [], 0)
    with pytest.raises(Exception, match="past"):
        m.forward_cached(x, past, 7)
    with pytest.raises(Exception, match="start"):
        m.forward_cached(x, [], 3)


@pytest.mark.parametrize("enc", ["fire", "rope-yarn", "sinusoidal", "t5"])
@pytest.mark.parametrize("conv", [False, True])
def test_cached_path_follows_a_bfloat16_cast(enc, conv):
    m = torch.jit.script(model(enc, conv)).to(torch.bfloat16)
    x = torch.randint(0, 4096, (1, 140), generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        full = m(x)
        cached = cached_logits(m, x, [0, 100, 101, 140])
    assert full.dtype == torch.bfloat16 and cached.dtype == torch.bfloat16
    assert (full.float() - cached.float()).abs().max().item() <= 0.1


ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.mark.parametrize("path", sorted(glob.glob(os.path.join(ROOT, "zoo", "models", "*.pt"))))
def test_zoo_archives_cached_equals_full(path):
    """The shipped zoo (blocks of 512): prefill across a block boundary, then steps."""
    m = torch.jit.load(path).float().eval()
    T = 1100
    m.set_eval_length(T)
    x = torch.randint(0, 4096, (1, T), generator=torch.Generator().manual_seed(5))
    with torch.no_grad():
        full = m(x)
        cached = cached_logits_any(m, x, [0, 600, 1023, 1024, 1025, 1030, T])
    assert (full - cached).abs().max().item() <= 1e-4


def cached_logits_any(m, x: Tensor, cuts: List[int]) -> Tensor:
    past: List[Tensor] = []
    outs = []
    for a, b in zip(cuts[:-1], cuts[1:]):
        logits, past = m.forward_cached(x[:, a:b], past, a)
        outs.append(logits)
    return torch.cat(outs, dim=1)


def test_fire_tables_follow_parameter_changes():
    """FIRE reuses its eval tables across calls; changed parameters rebuild them."""
    m = torch.jit.script(model("fire"))
    x = torch.randint(0, 4096, (1, 200), generator=torch.Generator().manual_seed(6))
    with torch.no_grad():
        before = m(x)
        m.pos.c.mul_(2.0)
        m.pos.W2.mul_(3.0)
        after = m(x)
        fresh = build_model("fire", **SMALL).eval()
        fresh.load_state_dict(m.state_dict())
        fresh.set_eval_length(T_TOTAL)
        assert (after - fresh(x)).abs().max().item() <= 1e-5
    assert (after - before).abs().max().item() > 1e-3
