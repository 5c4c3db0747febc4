"""Can a FIRE bias represent T5, ALiBi and KERPLE?  (Li et al. 2023, Theorem 3.1)

  /usr/bin/python3 -m zoo.expressiveness        # prints the fit errors

With L fixed to the maximum length (512) the FIRE normaliser is the constant psi(L) for
all i <= 512, so x = psi(i-j)/psi(L) is a monotone function of the distance d = i-j only,
and the question becomes: how well does f_theta (1 -> 32 ReLU -> H) fit the target
g_h(d) at the 512 points x(d), d = 0..511?  We fit by
  * placing the 32 hidden ReLUs relu(x - x_k) at knots x_k, i.e. W1 = 1, b1 = -x_k
    (shared by the heads, as in FIRE), chosen greedily (orthogonal matching pursuit) among
    the midpoints between consecutive x(d) values, x_0 = 0 always,
  * solving the per-head output layer (W2, b2) by linear least squares (float64),
    on a small grid of c values (c is FIRE's learnable log scale),
then load the weights into a real `Fire` module and measure the max |b_FIRE - b_target|
over all 0 <= j <= i < 512 with the module's own direct *and* fast (eval) paths.
"""
import math
from typing import Callable, Dict, List, Tuple

import torch

from zoo.model import Fire, alibi_slopes, t5_bucket

N_MAX = 512
HIDDEN = 32
C_GRID = [1e-4, 1e-3, 1e-2, 0.03, 0.1, 0.3, 1.0, 3.0]


def target_alibi(H: int) -> torch.Tensor:
    d = torch.arange(N_MAX, dtype=torch.float64)
    return -torch.tensor(alibi_slopes(H), dtype=torch.float64).unsqueeze(1) * d  # [H, 512]


def target_kerple(H: int, seed: int = 0) -> Tuple[torch.Tensor, List[float], List[float]]:
    g = torch.Generator().manual_seed(seed)
    r1 = (torch.rand(H, generator=g, dtype=torch.float64) * 1.5 + 0.25)
    r2 = 10 ** (torch.rand(H, generator=g, dtype=torch.float64) * 3 - 2)  # 0.01 .. 10
    d = torch.arange(N_MAX, dtype=torch.float64)
    return -r1.unsqueeze(1) * torch.log1p(r2.unsqueeze(1) * d), r1.tolist(), r2.tolist()


def target_t5(H: int, seed: int = 0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    table = torch.randn(32, H, generator=g, dtype=torch.float64)
    b = t5_bucket(torch.arange(N_MAX))
    return table[b].t().contiguous()  # [H, 512]


def fit(target: torch.Tensor, hidden: int = HIDDEN, c_grid: List[float] = C_GRID) -> Dict:
    """FIRE fit of a distance-only target [H, 512]: knots by orthogonal matching pursuit
    over all midpoints between consecutive x(d) (only integer distances matter), then
    the output layer by least squares; best c of C_GRID.  Returns params + error."""
    H = target.size(0)
    d = torch.arange(N_MAX, dtype=torch.float64)
    Y = target.t()  # [512, H]
    best = None
    for c in c_grid:
        x = torch.log1p(c * d) / math.log1p(c * N_MAX)  # normaliser psi(L), L = 512
        cand = torch.cat([torch.zeros(1, dtype=torch.float64), 0.5 * (x[1:] + x[:-1])])
        F = torch.relu(x.unsqueeze(1) - cand.unsqueeze(0))  # [512, n_cand]
        ones = torch.ones(N_MAX, 1, dtype=torch.float64)
        chosen = [0]  # relu(x - 0) = x: the linear term
        for _ in range(hidden - 1):
            A = torch.cat([F[:, chosen], ones], 1)
            R = Y - A @ torch.linalg.lstsq(A, Y).solution
            # correlation of the residual with each candidate, after projecting out A
            Fp = F - A @ torch.linalg.lstsq(A, F).solution
            score = (Fp.t() @ R).pow(2).sum(1) / Fp.pow(2).sum(0).clamp(min=1e-18)
            score[chosen] = -1.0
            chosen.append(int(score.argmax()))
        knots = cand[chosen]
        A = torch.cat([torch.relu(x.unsqueeze(1) - knots.unsqueeze(0)), ones], 1)
        sol = torch.linalg.lstsq(A, Y).solution  # [hidden+1, H]
        err = float((A @ sol - Y).abs().max())
        if best is None or err < best["lstsq_err"]:
            best = {"c": c, "knots": knots, "W2": sol[:hidden].t(), "b2": sol[hidden],
                    "lstsq_err": err}
    return best


def fit_exact(target: torch.Tensor, c: float = 1.0) -> Dict:
    """Constructive exact representation: FIRE's f is piecewise linear in x, and only
    the 512 points x(d) matter, so put one ReLU knot at x(d) wherever the target's second
    difference in d is non-zero (any head) -- the linear interpolant through all points
    is then represented exactly.  T5 needs 16 + 2 per log-bucket boundary ~ 48 units."""
    d = torch.arange(N_MAX, dtype=torch.float64)
    x = torch.log1p(c * d) / math.log1p(c * N_MAX)
    Y = target.t()
    # second difference w.r.t. x (non-uniform spacing): slope changes at interior points
    slope = (Y[1:] - Y[:-1]) / (x[1:] - x[:-1]).unsqueeze(1)
    kink = (slope[1:] - slope[:-1]).abs().max(1).values > 1e-9 * (1 + slope.abs().max())
    knots = torch.cat([torch.zeros(1, dtype=torch.float64), x[1:-1][kink]])
    A = torch.cat([torch.relu(x.unsqueeze(1) - knots.unsqueeze(0)),
                   torch.ones(N_MAX, 1, dtype=torch.float64)], 1)
    sol = torch.linalg.lstsq(A, Y).solution
    return {"c": c, "knots": knots, "W2": sol[:-1].t(), "b2": sol[-1],
            "lstsq_err": float((A @ sol - Y).abs().max())}


def fire_from_fit(fitres: Dict, H: int) -> Fire:
    hidden = int(fitres["knots"].numel())
    f = Fire(1, H, 8 * H, N_MAX, shared=True, hidden=hidden, L_init=float(N_MAX),
             c_init=fitres["c"], table_tol=1e-6)
    with torch.no_grad():
        f.W1.fill_(1.0)
        f.b1.copy_(-fitres["knots"].float().unsqueeze(0))
        f.W2.copy_(fitres["W2"].float().unsqueeze(0))
        f.b2.copy_(fitres["b2"].float().unsqueeze(0))
        f.c.fill_(fitres["c"])
        f.L_mult.fill_(1.0)
    return f


def module_error(f: Fire, target: torch.Tensor) -> Tuple[float, float]:
    """max |FIRE bias - target| over 0 <= j <= i < 512, direct and fast paths."""
    i = torch.arange(N_MAX).unsqueeze(1)
    j = torch.arange(N_MAX).unsqueeze(0)
    mask = j <= i
    ref = target[:, (i - j).clamp(min=0)].float()
    f.train()
    direct = f.direct_bias(0, 0, N_MAX).flip(-1).detach()
    f.eval()
    with torch.no_grad():
        ctx = f.prepare(N_MAX, torch.device("cpu"))
        fast = f.bias_matrix(0, 0, N_MAX, ctx)
    e_direct = float((direct - ref).abs()[:, mask].max())
    e_fast = float((fast - ref).abs()[:, mask].max())
    return e_direct, e_fast


def run_one(name: str, H: int = 4, hidden: int = HIDDEN, c_grid: List[float] = C_GRID) -> Dict:
    """hidden <= 0: the constructive exact fit (as many units as it needs)."""
    if name == "alibi":
        tgt = target_alibi(H)
    elif name == "kerple":
        tgt = target_kerple(H)[0]
    elif name == "t5":
        tgt = target_t5(H)
    else:
        raise ValueError(name)
    fr = fit_exact(tgt) if hidden <= 0 else fit(tgt, hidden, c_grid)
    hidden = int(fr["knots"].numel())
    f = fire_from_fit(fr, H)
    ed, ef = module_error(f, tgt)
    rng = float(tgt.max() - tgt.min())
    return {"target": name, "hidden": hidden, "c": fr["c"], "max_err_direct": ed,
            "max_err_fast": ef, "target_range": rng, "rel_err": max(ed, ef) / rng}


def run_all(H: int = 4) -> List[Dict]:
    return [run_one("alibi", H), run_one("kerple", H), run_one("t5", H),
            run_one("t5", H, hidden=64), run_one("t5", H, hidden=0)]


if __name__ == "__main__":
    torch.set_num_threads(2)
    for v in run_all():
        print(f"{v['target']:7s} hidden={v['hidden']} c={v['c']:<7g} max|err| direct={v['max_err_direct']:.3e} "
              f"fast={v['max_err_fast']:.3e}  target range={v['target_range']:.3f}  "
              f"rel={v['rel_err']:.2e}")
