"""lengen reference model zoo: one pre-LN decoder with pluggable position encodings.

Everything here is TorchScript-scriptable (torch.jit.script).  The model contract
(see zoo/README.md) is  forward(tokens int64 [B,T]) -> logits float [B,T,V]  plus an
optional  set_eval_length(T)  and the cached forward
forward_cached(tokens [B,n], past: List[Tensor], start) -> (logits [B,n,V], new past).

Position encodings (module classes below, one per family):
  nope        no position information at all (Kazemnejad et al. 2023, "The Impact of
              Positional Encoding on Length Generalization in Transformers").
  sinusoidal  absolute PE[p,2k]=sin(p/10000^(2k/d)), PE[p,2k+1]=cos(p/10000^(2k/d)) added
              to sqrt(d)-scaled token embeddings (Vaswani et al. 2017).
  rope        rotary embedding, theta_k = 10000^(-2k/d_head) (Su et al. 2021), with
              eval-time scalings (same weights, chosen at export):
     rope-pi    position interpolation m -> m * L_train/T for T > L_train (Chen et al. 2023)
     rope-ntk   dynamic NTK: base' = base * s^(d/(d-2)), s = T/L_train > 1 (bloc97 / emozilla
                2023; "dynamic NTK" in Peng et al. 2023)
     rope-yarn  YaRN NTK-by-parts, alpha=1, beta=32, plus attention temperature
                sqrt(1/t) = 0.1 ln s + 1 applied to q and k (Peng et al. 2023, YaRN)
  alibi       b(i,j) = -m_h (i-j), m_h = 2^(-8h/H) (Press et al. 2022)
  kerple      log variant b(i,j) = -r1_h log(1 + r2_h (i-j)), r1,r2 > 0 learnable per
              layer and head (Chi et al. 2022)
  t5          learned scalar per (bucket, head), 32 causal buckets, max_distance 128,
              shared by all layers (Raffel et al. 2020)
  fire        b(i,j) = f_theta( psi(i-j) / psi(max(L, i)) ), psi(x) = log(c x + 1),
              f_theta: MLP 1 -> 32 -> H with ReLU, c (init 0.1) and L (init: the training
              length) learnable,
              one per layer (Li et al. 2023, "Functional Interpolation for Relative
              Positions Improves Long Context Transformers", eq. (3)-(5))
  fire-s      as fire, one FIRE module shared by all layers.

Attention is computed block-causally: queries in blocks of `block_size` rows, each
block only against keys [0, block_end) (key blocks that are fully masked are never
touched); the relative bias is built per block.  Peak memory is
O(B * H * block_size * T) instead of O(B * H * T^2).
"""
import math
from typing import Dict, List, Optional, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch import Tensor

ENCODINGS = [
    "nope", "sinusoidal", "rope", "rope-pi", "rope-ntk", "rope-yarn",
    "alibi", "kerple", "t5", "fire", "fire-s",
]
# encodings that are trained (the rope scalings reuse the "rope" weights)
TRAINED_ENCODINGS = ["nope", "sinusoidal", "rope", "alibi", "kerple", "t5", "fire", "fire-s"]
ROPE_SCALINGS = {"rope": "none", "rope-pi": "pi", "rope-ntk": "ntk", "rope-yarn": "yarn"}


def base_encoding(name: str) -> str:
    return "rope" if name.startswith("rope") else name


# ----------------------------------------------------------------------------------
# Position-encoding modules.  All share one interface so the model can call them
# without knowing which one it holds:
#   prepare(T, device)                  -> List[Tensor]   per-forward tables
#   add_bias_(s, layer, qs, qe, ctx)    -> s + bias for the scores s [B, H, n, qe] of
#                                          query rows qs..qe-1 against keys 0..qe-1 in
#                                          REVERSED key order (column j' = key qe-1-j');
#                                          in place in eval mode.  Entries with j > i are
#                                          masked afterwards.
#   bias_matrix(layer, qs, qe, ctx)     -> the same bias as [H, n, qe], natural key order
#                                          (for tests)
#   rotate(x, cos, sin)                 -> rotated q or k (RoPE) / identity
#   rope_tables(T, device)              -> (cos, sin) or empty tensors
#   abs_embedding(T, device)            -> [T, d] absolute PE or empty
#   set_eval_length(T)
# Flags has_bias / has_rot / has_abs tell the model which hooks are active.
# ----------------------------------------------------------------------------------


def _rev_dist(n: int, qe: int, device: torch.device) -> Tensor:
    """Distances i - j of a query block in *reversed key order*: row r is query
    i = qs + r (n = qe - qs rows), column j' is key j = qe - 1 - j'.  Then
    i - j = r + j' - (n - 1), independent of qs.  Clamped at 0 (masked entries).
    Returns int64 [n, qe]."""
    r = torch.arange(n, device=device).unsqueeze(1)
    j = torch.arange(qe, device=device).unsqueeze(0)
    return (r + j - (n - 1)).clamp(min=0)


def hankel_view(tab: Tensor, n: int, qe: int) -> Tensor:
    """For a per-head table over distance tab [H, D] (D >= qe), the bias of a query
    block in reversed key order, bias[h, r, j'] = tab[h, r + j' - (n-1)], as a zero-copy
    strided (Hankel) view [H, n, qe]; entries with negative distance read 0 (masked
    later)."""
    H = tab.size(0)
    P = torch.cat([torch.zeros(H, n - 1, dtype=tab.dtype, device=tab.device),
                   tab[:, :qe]], dim=1)
    return P.as_strided([H, n, qe], [P.stride(0), 1, 1])


def dist_table_bias_(s: Tensor, tab: Tensor, n: int, qe: int, training: bool) -> Tensor:
    """s [B,H,n,qe] (reversed key order) + tab[h, i-j].  Training: differentiable gather,
    out of place.  Eval: in place, zero-copy Hankel view of the table."""
    if training:
        return s + tab[:, _rev_dist(n, qe, tab.device)].unsqueeze(0)
    return s.add_(hankel_view(tab, n, qe).unsqueeze(0))


class NoPE(nn.Module):
    has_bias: bool
    has_rot: bool
    has_abs: bool

    def __init__(self, n_layers: int, n_heads: int, d_model: int, train_length: int):
        super().__init__()
        self.has_bias = False
        self.has_rot = False
        self.has_abs = False
        self.n_heads = n_heads

    def prepare(self, T: int, device: torch.device) -> List[Tensor]:
        return []

    def add_bias_(self, s: Tensor, layer: int, qs: int, qe: int, ctx: List[Tensor]) -> Tensor:
        return s

    @torch.jit.export
    def bias_matrix(self, layer: int, qs: int, qe: int, ctx: List[Tensor]) -> Tensor:
        s = torch.zeros(1, self.n_heads, qe - qs, qe)
        return self.add_bias_(s, layer, qs, qe, ctx)[0].flip(-1)

    def rope_tables(self, T: int, device: torch.device) -> Tuple[Tensor, Tensor]:
        return torch.zeros(0), torch.zeros(0)

    def abs_embedding(self, T: int, device: torch.device) -> Tensor:
        return torch.zeros(0)

    def set_eval_length(self, length: int) -> None:
        pass


class Sinusoidal(NoPE):
    """Absolute sinusoidal PE (Vaswani et al. 2017, sec. 3.5)."""

    def __init__(self, n_layers: int, n_heads: int, d_model: int, train_length: int):
        super().__init__(n_layers, n_heads, d_model, train_length)
        self.has_abs = True
        self.d_model = d_model

    def abs_embedding(self, T: int, device: torch.device) -> Tensor:
        pos = torch.arange(T, device=device, dtype=torch.float64).unsqueeze(1)
        k = torch.arange(0, self.d_model, 2, device=device, dtype=torch.float64)
        div = torch.exp(-k * (math.log(10000.0) / self.d_model))
        ang = pos * div.unsqueeze(0)  # [T, d/2]
        pe = torch.stack([torch.sin(ang), torch.cos(ang)], dim=2).reshape(T, self.d_model)
        return pe.to(torch.float32)


def yarn_ramp(d_head: int, base: float, train_length: int, s: float,
              alpha: float, beta: float) -> Tensor:
    """YaRN NTK-by-parts (Peng et al. 2023, eq. 17-18): per frequency theta_k with
    wavelength lambda_k = 2*pi/theta_k, r_k = L/lambda_k, gamma(r) = 0 for r < alpha,
    1 for r > beta, linear in between; theta'_k = (1-gamma) theta_k/s + gamma theta_k."""
    k = torch.arange(0, d_head, 2, dtype=torch.float64)
    theta = base ** (-k / d_head)
    r = train_length * theta / (2 * math.pi)
    gamma = ((r - alpha) / (beta - alpha)).clamp(0.0, 1.0)
    return (1.0 - gamma) * theta / s + gamma * theta


class Rope(NoPE):
    """Rotary PE (Su et al. 2021) on the query/key halves (GPT-NeoX 'rotate_half' layout).

    scaling (set at export, applied for eval lengths T > train_length via s = T/L_train):
      none  plain RoPE
      pi    positions scaled by 1/s (Chen et al. 2023, Position Interpolation)
      ntk   base' = base * s^(d/(d-2))  (dynamic NTK-aware scaling)
      yarn  NTK-by-parts frequencies (alpha=1, beta=32) and q,k multiplied by
            sqrt(1/t) = 0.1 ln(s) + 1 (YaRN, Peng et al. 2023)
    The effective length is the one given to set_eval_length (if > 0), else the
    current sequence length (dynamic)."""
    scaling: str

    def __init__(self, n_layers: int, n_heads: int, d_model: int, train_length: int,
                 base: float = 10000.0, scaling: str = "none"):
        super().__init__(n_layers, n_heads, d_model, train_length)
        self.has_rot = True
        self.d_head = d_model // n_heads
        self.base = base
        self.train_length = train_length
        self.scaling = scaling
        self.eval_length = 0

    def set_eval_length(self, length: int) -> None:
        self.eval_length = length

    def scale_factor(self, T: int) -> float:
        L = self.eval_length if self.eval_length > 0 else T
        return max(1.0, float(L) / float(self.train_length))

    def rope_tables(self, T: int, device: torch.device) -> Tuple[Tensor, Tensor]:
        d = self.d_head
        s = self.scale_factor(T)
        k = torch.arange(0, d, 2, dtype=torch.float64)
        pos = torch.arange(T, dtype=torch.float64)
        mscale = 1.0
        if self.scaling == "pi" and s > 1.0:
            theta = self.base ** (-k / d)
            pos = pos / s
        elif self.scaling == "ntk" and s > 1.0:
            base = self.base * s ** (d / (d - 2.0))
            theta = base ** (-k / d)
        elif self.scaling == "yarn" and s > 1.0:
            theta = yarn_ramp(d, self.base, self.train_length, s, 1.0, 32.0)
            mscale = 0.1 * math.log(s) + 1.0
        else:
            theta = self.base ** (-k / d)
        ang = pos.unsqueeze(1) * theta.unsqueeze(0)  # [T, d/2]
        ang = torch.cat([ang, ang], dim=1)
        cos = (torch.cos(ang) * mscale).to(torch.float32).to(device)
        sin = (torch.sin(ang) * mscale).to(torch.float32).to(device)
        return cos, sin


def alibi_slopes(n_heads: int) -> List[float]:
    """ALiBi head slopes (Press et al. 2022): geometric 2^(-8/n), 2^(-16/n), ... for
    n a power of two; otherwise the slopes of the closest lower power of two n0 followed
    by every other slope of 2*n0 (reference implementation's interleaving)."""
    def pow2(n: int) -> List[float]:
        start = 2.0 ** (-8.0 / n)
        return [start ** (h + 1) for h in range(n)]
    if math.log2(n_heads).is_integer():
        return pow2(n_heads)
    n0 = 2 ** int(math.floor(math.log2(n_heads)))
    return pow2(n0) + pow2(2 * n0)[0::2][: n_heads - n0]


class Alibi(NoPE):
    """b(i,j) = -m_h (i - j)."""

    def __init__(self, n_layers: int, n_heads: int, d_model: int, train_length: int):
        super().__init__(n_layers, n_heads, d_model, train_length)
        self.has_bias = True
        self.register_buffer("slopes", torch.tensor(alibi_slopes(n_heads), dtype=torch.float32))

    def prepare(self, T: int, device: torch.device) -> List[Tensor]:
        d = torch.arange(T, device=device, dtype=torch.float32)
        return [-self.slopes.float().to(device).unsqueeze(1) * d.unsqueeze(0)]  # [H, T]

    def add_bias_(self, s: Tensor, layer: int, qs: int, qe: int, ctx: List[Tensor]) -> Tensor:
        return dist_table_bias_(s, ctx[0], qe - qs, qe, self.training)


class Kerple(NoPE):
    """KERPLE log variant (Chi et al. 2022, eq. 'logarithmic'):
    b(i,j) = -r1 log(1 + r2 (i - j)), r1, r2 > 0 learnable per layer and head."""

    def __init__(self, n_layers: int, n_heads: int, d_model: int, train_length: int):
        super().__init__(n_layers, n_heads, d_model, train_length)
        self.has_bias = True
        g = torch.Generator().manual_seed(1234)
        self.r1 = nn.Parameter(torch.rand(n_layers, n_heads, generator=g) * 1.0 + 0.5)
        self.r2 = nn.Parameter(torch.rand(n_layers, n_heads, generator=g) * 1.0 + 0.5)

    def prepare(self, T: int, device: torch.device) -> List[Tensor]:
        d = torch.arange(T, device=device, dtype=torch.float32)
        r1 = self.r1.float().clamp(min=1e-2).unsqueeze(2)
        r2 = self.r2.float().clamp(min=1e-2).unsqueeze(2)
        return [-r1 * torch.log1p(r2 * d)]  # [n_layers, H, T] table over distance

    def add_bias_(self, s: Tensor, layer: int, qs: int, qe: int, ctx: List[Tensor]) -> Tensor:
        return dist_table_bias_(s, ctx[0][layer], qe - qs, qe, self.training)


def t5_bucket(rel: Tensor, num_buckets: int = 32, max_distance: int = 128) -> Tensor:
    """T5 relative_position_bucket, bidirectional=False (Raffel et al. 2020 /
    mesh_tensorflow): n = max(i-j, 0); exact buckets for n < num_buckets/2, then
    logarithmic up to max_distance, clamped to num_buckets-1."""
    n = rel.clamp(min=0)
    max_exact = num_buckets // 2
    is_small = n < max_exact
    nf = n.to(torch.float32).clamp(min=1.0)
    large = max_exact + (torch.log(nf / max_exact) / math.log(max_distance / max_exact)
                         * (num_buckets - max_exact)).to(torch.int64)
    large = large.clamp(max=num_buckets - 1)
    return torch.where(is_small, n, large)


class T5Bias(NoPE):
    """T5 RPE: learned scalar per (bucket, head), shared across layers."""

    def __init__(self, n_layers: int, n_heads: int, d_model: int, train_length: int,
                 num_buckets: int = 32, max_distance: int = 128):
        super().__init__(n_layers, n_heads, d_model, train_length)
        self.has_bias = True
        self.num_buckets = num_buckets
        self.max_distance = max_distance
        self.rel_bias = nn.Parameter(torch.zeros(num_buckets, n_heads))

    def prepare(self, T: int, device: torch.device) -> List[Tensor]:
        d = torch.arange(T, device=device)
        b = t5_bucket(d, self.num_buckets, self.max_distance)
        return [self.rel_bias.float()[b].t()]  # [H, T] table over distance

    def add_bias_(self, s: Tensor, layer: int, qs: int, qe: int, ctx: List[Tensor]) -> Tensor:
        return dist_table_bias_(s, ctx[0], qe - qs, qe, self.training)


class Fire(NoPE):
    """FIRE (Li et al. 2023, eq. (3)-(5)):
        b(i,j) = f_theta( psi(i-j) / psi(max(L, i)) ),   psi(x) = log(c x + 1),
        f_theta(x) = W2 relu(W1 x + b1) + b2              (1 -> hidden -> H).
    c is learnable (init 0.1); L = L_base * L_mult with L_mult learnable (init 1, so
    L starts at L_base; the zoo passes the training length, as the paper does).  n_sets = n_layers (fire) or 1 (fire-s, shared by all layers).

    Training mode uses the direct differentiable formula on every (i, j).
    Eval mode uses an exact-enough fast path:
      * rows i < L: the normaliser is psi(L), so the bias depends only on d = i-j: a
        1-D table f(psi(d)/psi(L)) for d < L, evaluated exactly with the MLP (float64),
        added through a zero-copy Hankel view;
      * rows i >= L: x = psi(i-j)/psi(i) in [0, 1]; psi(i-j) comes from a 1-D table via
        a Hankel view, and f_theta is read from a table of the MLP on a uniform grid of
        N points in [0, 1] (nearest grid point).  f_theta is piecewise linear with
        max |f'| = S (computed exactly from its kinks), so the error is <= S / (2 (N-1));
        N - 1 = ceil(S / (2 * table_tol)) (clamped to [1024, 2^22]) gives <= table_tol.
        The float32 values of two heads are packed into one complex64 so that one
        index_select (int32 indices) fetches two heads.
    """
    shared: bool
    table_tol: float
    table_cache: List[Tensor]
    table_T: int

    def __init__(self, n_layers: int, n_heads: int, d_model: int, train_length: int,
                 shared: bool = False, hidden: int = 32, L_init: float = 128.0,
                 c_init: float = 0.1, table_tol: float = 2e-5):
        super().__init__(n_layers, n_heads, d_model, train_length)
        self.has_bias = True
        self.shared = shared
        n_sets = 1 if shared else n_layers
        self.n_sets = n_sets
        self.hidden = hidden
        self.L_base = float(L_init)
        self.table_tol = table_tol
        g = torch.Generator().manual_seed(4321)
        # nn.Linear-style uniform init (fan_in 1 for the first layer), per set
        self.W1 = nn.Parameter(torch.rand(n_sets, hidden, generator=g) * 2 - 1)
        self.b1 = nn.Parameter(torch.rand(n_sets, hidden, generator=g) * 2 - 1)
        bound = 1.0 / math.sqrt(hidden)
        self.W2 = nn.Parameter((torch.rand(n_sets, n_heads, hidden, generator=g) * 2 - 1) * bound)
        self.b2 = nn.Parameter((torch.rand(n_sets, n_heads, generator=g) * 2 - 1) * bound)
        self.c = nn.Parameter(torch.full((n_sets,), float(c_init)))
        self.L_mult = nn.Parameter(torch.ones(n_sets))
        # eval tables of the last prepare(), reused while the parameters, device and
        # covered length allow: a cached decode calls prepare once per token, and the
        # grid table costs ~0.1 s to build (see prepare)
        self.table_cache: List[Tensor] = []
        self.table_key = torch.zeros(0)
        self.table_T = 0

    def set_index(self, layer: int) -> int:
        if self.shared:
            return 0
        return layer

    def params_for(self, s: int) -> Tuple[Tensor, Tensor, Tensor, Tensor, Tensor, Tensor]:
        # c > 0 and L >= 1 as the paper requires; |.| keeps a gradient for either sign
        c = self.c[s].float().abs().clamp(min=1e-4)
        L = (self.L_mult[s].float().abs() * self.L_base).clamp(min=1.0)
        return (self.W1[s].float(), self.b1[s].float(), self.W2[s].float(),
                self.b2[s].float(), c, L)

    @torch.jit.export
    def mlp(self, s: int, x: Tensor) -> Tensor:
        """f_theta(x) for any-shaped x -> [H, *x.shape] (dtype of x)."""
        W1, b1, W2, b2, c, L = self.params_for(s)
        W1 = W1.to(x.dtype)
        b1 = b1.to(x.dtype)
        W2 = W2.to(x.dtype)
        b2 = b2.to(x.dtype)
        h = torch.relu(x.unsqueeze(-1) * W1 + b1)  # [..., hidden]
        out = torch.matmul(h, W2.t()) + b2  # [..., H]
        return out.movedim(-1, 0)

    @torch.jit.export
    def direct_bias(self, layer: int, qs: int, qe: int) -> Tensor:
        """The defining formula on every (i, j), reversed key order: [H, n, qe]."""
        s = self.set_index(layer)
        W1, b1, W2, b2, c, L = self.params_for(s)
        dev = self.W1.device
        n = qe - qs
        d = _rev_dist(n, qe, dev).to(torch.float32)
        i = torch.arange(qs, qe, device=dev, dtype=torch.float32).unsqueeze(1)
        norm = torch.log(c * torch.maximum(i, L) + 1.0)
        x = torch.log(c * d + 1.0) / norm
        return self.mlp(s, x)

    @torch.jit.export
    def max_slope(self, s: int) -> float:
        """Exact max |f'| over [0, 1] for head set s: f is linear between the kinks
        -b1/W1 of its ReLUs, so evaluate f' at the midpoints of those segments."""
        W1, b1, W2, b2, c, L = self.params_for(s)
        W1 = W1.detach().double()
        b1 = b1.detach().double()
        W2 = W2.detach().double()
        safe = torch.where(W1 == 0, torch.ones_like(W1), W1)
        kinks = torch.where(W1 == 0, torch.zeros_like(W1), -b1 / safe)
        inside = kinks[(kinks > 0.0) & (kinks < 1.0)]
        dev = W1.device
        pts = torch.sort(torch.cat([torch.zeros(1, dtype=torch.float64, device=dev), inside,
                                    torch.ones(1, dtype=torch.float64, device=dev)]))[0]
        mid = 0.5 * (pts[1:] + pts[:-1])
        active = (mid.unsqueeze(1) * W1 + b1 > 0).to(torch.float64)  # [M, hidden]
        slopes = torch.matmul(active, (W2 * W1.unsqueeze(0)).t())  # [M, H]
        return float(slopes.abs().max())

    def param_key(self) -> Tensor:
        """Every parameter the tables depend on, flattened (float32, [P], P ~ 400)."""
        return torch.cat([self.W1.detach().float().flatten(), self.b1.detach().float().flatten(),
                          self.W2.detach().float().flatten(), self.b2.detach().float().flatten(),
                          self.c.detach().float(), self.L_mult.detach().float()])

    @torch.jit.export
    def clear_tables(self) -> None:
        self.table_cache = []
        self.table_key = torch.zeros(0)
        self.table_T = 0

    def prepare(self, T: int, device: torch.device) -> List[Tensor]:
        if self.training:
            return []
        key = self.param_key()
        if (len(self.table_cache) > 0 and self.table_T >= T
                and self.table_cache[0].device == device
                and self.table_key.device == key.device and torch.equal(self.table_key, key)):
            return self.table_cache
        # the distance tables cover T rounded up to 4096, so that decoding step by step
        # rebuilds them once per 4096 positions; a longer table gives the same bias
        # (rows read distances < qe only)
        T_tab = ((T + 4095) // 4096) * 4096
        out = self.build_tables(T_tab, device)
        self.table_cache = out
        self.table_key = key
        self.table_T = T_tab
        return out

    def build_tables(self, T: int, device: torch.device) -> List[Tensor]:
        out: List[Tensor] = []
        for s in range(self.n_sets):
            W1, b1, W2, b2, c, L = self.params_for(s)
            # tables are not differentiable (training uses direct_bias)
            c = c.detach()
            L = L.detach()
            Lf = float(L)
            cd = c.double()
            S = self.max_slope(s)
            N1 = int(math.ceil(S / (2.0 * self.table_tol)))
            N1 = min(max(N1, 1024), 4194304)
            grid = torch.arange(N1 + 1, device=device, dtype=torch.float64) / N1
            val = self.mlp(s, grid).detach()  # [H, N1+1] float64
            H = val.size(0)
            # two extra copies of f(1) so that rounding above x = 1 can never index out;
            # an even number of heads (zero pad) so that heads are packed in pairs
            tab = torch.cat([val, val[:, N1:], val[:, N1:]], dim=1).to(torch.float32)
            if H % 2 == 1:
                tab = torch.cat([tab, torch.zeros(1, tab.size(1), dtype=tab.dtype,
                                                  device=device)], dim=0)
            # [H/2, N] complex64: heads (2p, 2p+1) at one grid point as the real and
            # imaginary part of one element, so that one index_select fetches two heads
            packed = torch.complex(tab[0::2], tab[1::2]).contiguous()
            out.append(packed)
            # exact distance table for rows i < L, zero-padded to length T
            nL = max(1, min(int(math.ceil(Lf)), T))
            dd = torch.arange(nL, device=device, dtype=torch.float64)
            xs = torch.log(cd * dd + 1.0) / torch.log(cd * L.double() + 1.0)
            ex = self.mlp(s, xs).detach().to(torch.float32)  # [H, nL]
            exact = torch.zeros(ex.size(0), T, device=device, dtype=torch.float32)
            exact[:, :nL] = ex
            out.append(exact)
            # psi over distance d = 0 .. T-1
            psi = torch.log(cd * torch.arange(T, device=device, dtype=torch.float64) + 1.0)
            out.append(psi.to(torch.float32).unsqueeze(0))
            out.append(torch.tensor([float(c), Lf, float(N1)], dtype=torch.float64))
        return out

    def fast_add_(self, s: Tensor, layer: int, qs: int, qe: int, ctx: List[Tensor]) -> Tensor:
        k = 4 * self.set_index(layer)
        packed = ctx[k]
        exact = ctx[k + 1]
        psi = ctx[k + 2]
        meta = ctx[k + 3]
        c = float(meta[0])
        L = float(meta[1])
        N1 = float(meta[2])
        n = qe - qs
        H = exact.size(0)
        nsmall = min(max(int(math.ceil(L)) - qs, 0), n)  # rows with i < L
        if nsmall > 0:
            s[:, :, :nsmall].add_(hankel_view(exact, n, qe)[:, :nsmall].unsqueeze(0))
        if nsmall < n:
            m = n - nsmall
            i = torch.arange(qs + nsmall, qe, dtype=torch.float64)
            inv = (N1 / torch.log(c * i + 1.0)).to(torch.float32).to(s.device).unsqueeze(1)
            # (indices and the gathered bias stay float32; add_ rounds into s's dtype)
            # x * (N-1) + 0.5 = psi(i-j) * (N-1)/psi(i) + 0.5, then floor: nearest grid point
            pos = torch.empty(m, qe, dtype=torch.float32, device=s.device)
            half = torch.full([1, 1], 0.5, dtype=torch.float32, device=s.device)
            torch.addcmul(half, hankel_view(psi, n, qe)[0, nsmall:], inv, out=pos)
            idx = pos.to(torch.int32).view(-1)
            buf = torch.empty(idx.size(0), dtype=torch.complex64, device=s.device)
            for p in range(packed.size(0)):
                torch.index_select(packed[p], 0, idx, out=buf)
                g = torch.view_as_real(buf).view(m, qe, 2)
                s[:, 2 * p, nsmall:].add_(g[:, :, 0])
                if 2 * p + 1 < H:
                    s[:, 2 * p + 1, nsmall:].add_(g[:, :, 1])
        return s

    def add_bias_(self, s: Tensor, layer: int, qs: int, qe: int, ctx: List[Tensor]) -> Tensor:
        if self.training or len(ctx) == 0:
            return s + self.direct_bias(layer, qs, qe).unsqueeze(0)
        return self.fast_add_(s, layer, qs, qe, ctx)


def make_pos(encoding: str, n_layers: int, n_heads: int, d_model: int, train_length: int) -> nn.Module:
    if encoding == "nope":
        return NoPE(n_layers, n_heads, d_model, train_length)
    if encoding == "sinusoidal":
        return Sinusoidal(n_layers, n_heads, d_model, train_length)
    if encoding in ROPE_SCALINGS:
        return Rope(n_layers, n_heads, d_model, train_length, scaling=ROPE_SCALINGS[encoding])
    if encoding == "alibi":
        return Alibi(n_layers, n_heads, d_model, train_length)
    if encoding == "kerple":
        return Kerple(n_layers, n_heads, d_model, train_length)
    if encoding == "t5":
        return T5Bias(n_layers, n_heads, d_model, train_length)
    # FIRE as in the paper's reference code: L starts at the training length
    # (L = L_base * |L_mult|, L_mult init 1), c at 0.1, MLP 1 -> 32 -> H.
    if encoding == "fire":
        return Fire(n_layers, n_heads, d_model, train_length, shared=False,
                    L_init=float(train_length))
    if encoding == "fire-s":
        return Fire(n_layers, n_heads, d_model, train_length, shared=True,
                    L_init=float(train_length))
    raise ValueError("unknown encoding " + encoding)


# ----------------------------------------------------------------------------------
# The decoder
# ----------------------------------------------------------------------------------


QK_TAPS = 3  # taps of the query/key convolutions (LM.qk_conv)


def rotate_half(x: Tensor) -> Tensor:
    h = x.size(-1) // 2
    return torch.cat([-x[..., h:], x[..., :h]], dim=-1)


class Block(nn.Module):
    def __init__(self, d_model: int, n_heads: int, mlp_mult: int = 4, qk_conv: bool = False):
        super().__init__()
        if qk_conv:
            # causal depthwise convolutions of the queries and keys (LM.qk_conv): row t is
            # the weight of position i - t per channel [QK_TAPS, H, 1, Dh].  They start as
            # a bigram matcher: in the first half of each head's channels q_i meets
            # k_{j-1}, in the second half q_{i-1} meets k_{j-2}, so q'_i . k'_j can score
            # "the two tokens before key j are my last two" (zoo/README.md, "Zoo v3")
            H = n_heads
            Dh = d_model // n_heads
            h = Dh // 2
            wq = torch.zeros(QK_TAPS, H, 1, Dh)
            wk = torch.zeros(QK_TAPS, H, 1, Dh)
            wq[0, :, :, :h] = 1.0
            wk[1, :, :, :h] = 1.0
            wq[1, :, :, h:] = 1.0
            wk[2, :, :, h:] = 1.0
            self.conv_q = nn.Parameter(wq)
            self.conv_k = nn.Parameter(wk)
        self.ln1 = nn.LayerNorm(d_model)
        self.qkv = nn.Linear(d_model, 3 * d_model, bias=False)
        self.proj = nn.Linear(d_model, d_model, bias=False)
        self.ln2 = nn.LayerNorm(d_model)
        self.fc1 = nn.Linear(d_model, mlp_mult * d_model, bias=False)
        self.fc2 = nn.Linear(mlp_mult * d_model, d_model, bias=False)


class LM(nn.Module):
    """Pre-LN decoder-only Transformer, tied input/output embeddings, no dropout.

    qk_conv (zoo v3): the queries and keys of every layer pass through a causal
    depthwise convolution over the last QK_TAPS positions, per channel,
    q'_i = sum_t wq[t] q_{i-t}, k'_j = sum_t wk[t] k_{j-t} (positions before 0 are
    zero), before any rotation or bias (Primer's multi-dconv-head attention, So et al.
    2021, on q and k; initialised as a bigram matcher, see Block).  A key then
    carries the tokens before it and a query its own recent tokens, so one layer can
    match "the position after an earlier copy of my last tokens" by content alone:
    induction no longer waits for a previous-token head, which 2 layers of width 128
    did not learn in our budget for most encodings (zoo/README.md)."""
    block_size: int
    qk_conv: torch.jit.Final[bool]

    def __init__(self, vocab_size: int = 4096, d_model: int = 128, n_layers: int = 2,
                 n_heads: int = 4, encoding: str = "nope", train_length: int = 512,
                 block_size: int = 512, max_T: int = -1, qk_conv: bool = False):
        super().__init__()
        assert d_model % n_heads == 0
        self.vocab_size = vocab_size
        self.d_model = d_model
        self.n_layers = n_layers
        self.n_heads = n_heads
        self.d_head = d_model // n_heads
        self.train_length = train_length
        self.block_size = block_size
        self.max_T = max_T  # > 0: raise for longer inputs (used by a test fixture)
        self.encoding = encoding
        self.qk_conv = qk_conv
        self.tok_emb = nn.Embedding(vocab_size, d_model)
        self.blocks = nn.ModuleList([Block(d_model, n_heads, qk_conv=qk_conv)
                                     for _ in range(n_layers)])
        self.ln_f = nn.LayerNorm(d_model)
        self.pos = make_pos(encoding, n_layers, n_heads, d_model, train_length)
        self.emb_scale = math.sqrt(d_model) if encoding == "sinusoidal" else 1.0
        self._init_weights()

    def _init_weights(self) -> None:
        for name, p in self.named_parameters():
            if name.startswith("pos."):
                continue
            if p.dim() == 2:
                std = 0.02
                if name.endswith("proj.weight") or name.endswith("fc2.weight"):
                    std = 0.02 / math.sqrt(2 * self.n_layers)
                nn.init.normal_(p, mean=0.0, std=std)

    @torch.jit.export
    def set_eval_length(self, length: int) -> None:
        self.pos.set_eval_length(length)

    def attend(self, q: Tensor, k: Tensor, v: Tensor, layer: int, ctx: List[Tensor],
               start: int = 0) -> Tensor:
        """Block-causal attention.  q: [B, H, n, Dh], already scaled, the queries at
        absolute positions start .. start+n-1; k, v: [B, H, T, Dh], the keys and values
        at positions 0 .. T-1, T = start + n (a cached forward passes the past keys).

        Query rows are processed in blocks [qs, qe) aligned to multiples of block_size
        (so that a prefill at start 0 is the plain forward, operation for operation),
        each against the keys [0, qe) only (fully masked key blocks are never touched).
        Keys are held in reversed order so that distance-only biases are zero-copy
        Hankel views (see hankel_view); softmax and the value sum do not depend on key
        order.  Only the diagonal tile has masked entries."""
        T = k.size(2)
        bs = self.block_size
        k_rev = k.flip(2)
        v_rev = v.flip(2)
        outs: List[Tensor] = []
        qs = start
        while qs < T:
            qe = min((qs // bs + 1) * bs, T)
            n = qe - qs
            kb = k_rev[:, :, T - qe:]  # keys qe-1, ..., 0
            s = torch.matmul(q[:, :, qs - start:qe - start], kb.transpose(-1, -2))  # [B,H,n,qe]
            if self.pos.has_bias:
                s = self.pos.add_bias_(s, layer, qs, qe, ctx)
            # key j' (= qe-1-j) is masked for row r iff j > i  <=>  r + j' < n - 1
            tri = torch.ones(n, n, dtype=torch.bool, device=q.device).triu(1).flip(1)
            s[:, :, :, :n].masked_fill_(tri, float("-inf"))
            p = torch.softmax(s, dim=-1)
            outs.append(torch.matmul(p, v_rev[:, :, T - qe:]))
            qs = qe
        if len(outs) == 1:
            return outs[0]
        return torch.cat(outs, dim=2)

    def conv(self, w: Tensor, x: Tensor, tail: Tensor) -> Tuple[Tensor, Tensor]:
        """Causal depthwise convolution x'_i = sum_t w[t] x_{i-t} of x [B, H, n, Dh]
        (unrotated q or k at positions start .. start+n-1) with w [QK_TAPS, H, 1, Dh];
        tail [B', H, QK_TAPS-1, Dh] holds x at the positions just before start (zeros
        before position 0).  Returns x' and the new tail (the last QK_TAPS-1 rows)."""
        B = x.size(0)
        if tail.size(0) != B:
            tail = tail.expand(B, -1, -1, -1)
        xp = torch.cat([tail.to(x.dtype), x], dim=2)  # [B, H, taps-1+n, Dh]
        n = x.size(2)
        K = w.size(0)
        w = w.to(x.dtype)
        out = xp[:, :, K - 1:] * w[0]
        for t in range(1, K):
            out = out + xp[:, :, K - 1 - t:K - 1 - t + n] * w[t]
        return out, xp[:, :, n:]

    def run(self, tokens: Tensor, past: List[Tensor], start: int) -> Tuple[Tensor, List[Tensor]]:
        """The decoder over tokens [B, n] at absolute positions start .. start+n-1, after
        `past` (per layer the rotated keys and the values [B', H, start, Dh], B' = B or 1,
        then with qk_conv the unconvolved q and k of the last QK_TAPS-1 positions
        [B', H, QK_TAPS-1, Dh]; empty when start is 0).  Returns the final hidden states [B, n, d] and the new past
        (the same list over start + n positions).  forward is run(tokens, [], 0)."""
        B = tokens.size(0)
        n = tokens.size(1)
        T = start + n
        if self.max_T > 0 and T > self.max_T:
            raise RuntimeError("lengen fixture: sequence length above max_T")
        if start < 0 or (start == 0) != (len(past) == 0):
            raise RuntimeError("forward_cached: start must be 0 exactly when past is empty")
        per_layer = 4 if self.qk_conv else 2
        if len(past) > 0 and (len(past) != per_layer * self.n_layers or past[0].size(2) != start):
            raise RuntimeError("forward_cached: past does not hold `start` positions per layer")
        # the module's dtype throughout (float32, bfloat16 or float16 after a cast);
        # position tables are computed in float32/float64 over the T positions, sliced to
        # this call's rows, and cast or added in place
        x = self.tok_emb(tokens)
        if self.pos.has_abs:
            pe = self.pos.abs_embedding(T, x.device)[start:T]  # [n, d]
            x = x * self.emb_scale + pe.to(x.dtype).unsqueeze(0)
        cos, sin = self.pos.rope_tables(T, x.device)
        if self.pos.has_rot:
            cos = cos[start:T]  # [n, Dh] the rows of the new positions
            sin = sin[start:T]
        if not self.training:
            # eval follows the module dtype; training keeps float32 tables under autocast
            cos = cos.to(x.dtype)
            sin = sin.to(x.dtype)
        ctx = self.pos.prepare(T, x.device)
        H = self.n_heads
        Dh = self.d_head
        scale = 1.0 / math.sqrt(Dh)
        new_past: List[Tensor] = []
        li = 0
        for blk in self.blocks:
            h = blk.ln1(x)
            qkv = blk.qkv(h).view(B, n, 3, H, Dh).permute(2, 0, 3, 1, 4)  # [3,B,H,n,Dh]
            q = qkv[0]
            k = qkv[1]
            v = qkv[2]
            q_tail = q[:, :, :0]
            k_tail = k[:, :, :0]
            if self.qk_conv:
                if start > 0:
                    q_tail = past[per_layer * li + 2]
                    k_tail = past[per_layer * li + 3]
                else:
                    taps = blk.conv_q.size(0)
                    q_tail = torch.zeros_like(q[:1, :, :1]).expand(B, -1, taps - 1, -1)
                    k_tail = q_tail
                q, q_tail = self.conv(blk.conv_q, q, q_tail)
                k, k_tail = self.conv(blk.conv_k, k, k_tail)
            if self.pos.has_rot:
                q = q * cos + rotate_half(q) * sin
                k = k * cos + rotate_half(k) * sin
            if start > 0:
                # [B', H, start, Dh] past + [B, H, n, Dh] new; a batch-1 past (a shared
                # prompt) is broadcast over the B continuations
                pk = past[per_layer * li]
                pv = past[per_layer * li + 1]
                if pk.size(0) != B:
                    pk = pk.expand(B, -1, -1, -1)
                    pv = pv.expand(B, -1, -1, -1)
                k = torch.cat([pk.to(k.dtype), k], dim=2)
                v = torch.cat([pv.to(v.dtype), v], dim=2)
            new_past.append(k)
            new_past.append(v)
            if self.qk_conv:  # the unconvolved q and k the next call convolves with
                new_past.append(q_tail)
                new_past.append(k_tail)
            a = self.attend(q * scale, k, v, li, ctx, start)  # [B,H,n,Dh]
            a = a.transpose(1, 2).reshape(B, n, self.d_model)
            x = x + blk.proj(a)
            x = x + blk.fc2(F.gelu(blk.fc1(blk.ln2(x))))
            li += 1
        return self.ln_f(x), new_past

    def hidden(self, tokens: Tensor) -> Tensor:
        return self.run(tokens, [], 0)[0]

    def forward(self, tokens: Tensor) -> Tensor:
        x = self.hidden(tokens)
        return F.linear(x, self.tok_emb.weight)  # [B, T, V] in the module's dtype

    @torch.jit.export
    def forward_cached(self, tokens: Tensor, past: List[Tensor],
                       start: int) -> Tuple[Tensor, List[Tensor]]:
        """The cached contract (README, "Model contract"): logits [B, n, V] of tokens
        [B, n] at positions start .. start+n-1 after `past` (from an earlier call over
        positions 0 .. start-1; [] when start is 0), and the past over start+n positions.
        Equal to forward over the whole sequence (zoo/tests/test_cached.py).  The RoPE
        scalings need set_eval_length first, as the full forward does: with a dynamic
        length the rotation of a key would depend on how long the sequence grows."""
        x, new_past = self.run(tokens, past, start)
        return F.linear(x, self.tok_emb.weight), new_past


def build_model(encoding: str, **kw) -> LM:
    return LM(encoding=encoding, **kw)


def count_params(m: nn.Module) -> int:
    return sum(p.numel() for p in m.parameters())
