"""Side-by-side cost of a long forward: FIRE vs ALiBi (same size), plus FIRE fast-path error.

Usage:  LD_PRELOAD=/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4 \
        /usr/bin/python3 -m zoo.bench_fire [--length 32768] [--repeats 1] [--models zoo/models]

Each measurement runs in a fresh subprocess so that its peak RSS (ru_maxrss) is its own;
the two models alternate for --rounds rounds and the best time of each is compared.
Uses the exported zoo models if present (zoo/models/{alibi,fire}.pt), else freshly
initialised scripted models of the zoo size.  Prints time, peak RSS and the
FIRE/ALiBi time ratio (the requirement is <= 1.5).
"""
import argparse
import json
import os
import subprocess
import sys

CHILD = r"""
import json, resource, sys, time, torch
torch.set_num_threads(int(sys.argv[4]))
enc, T, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
if path and __import__('os').path.exists(path):
    m = torch.jit.load(path).float().eval()
    src = path
else:
    sys.path.insert(0, '.')
    from zoo.model import build_model
    torch.manual_seed(0)
    m = torch.jit.script(build_model(enc).eval())
    src = 'fresh-init'
try:
    m.set_eval_length(T)
except Exception:
    pass
g = torch.Generator().manual_seed(0)
x = torch.randint(0, 4096, (1, T), generator=g)
times = []
with torch.no_grad():
    for _ in range(int(sys.argv[5])):
        t0 = time.perf_counter()
        y = m(x)
        times.append(time.perf_counter() - t0)
        assert y.shape == (1, T, 4096) and bool(torch.isfinite(y).all())
        del y
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
print(json.dumps({"enc": enc, "T": T, "src": src, "seconds": min(times), "all_seconds": times,
                  "peak_rss_mb": rss}))
"""


def measure(enc: str, T: int, path: str, threads: int, repeats: int) -> dict:
    env = dict(os.environ)
    tc = "/usr/lib/x86_64-linux-gnu/libtcmalloc_minimal.so.4"
    if os.path.exists(tc) and "LD_PRELOAD" not in env:
        env["LD_PRELOAD"] = tc
    out = subprocess.run([sys.executable, "-c", CHILD, enc, str(T), path, str(threads), str(repeats)],
                         env=env, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def fast_path_error(T: int) -> dict:
    """Max |fast - direct| of the FIRE bias over causal entries: random perturbed MLPs
    (3 seeds, fire) and the trained fire / fire-s checkpoints if present."""
    import torch
    from zoo.model import build_model
    res = {}
    cands = []
    for seed in range(3):
        torch.manual_seed(seed)
        m = build_model("fire")
        with torch.no_grad():
            for p in m.pos.parameters():
                p.add_(torch.randn_like(p) * 0.3)
        cands.append((f"random{seed}", m))
    for enc in ["fire", "fire-s"]:
        ck = os.path.join("zoo", "runs", enc, "checkpoint.pt")
        if os.path.exists(ck):
            d = torch.load(ck, map_location="cpu")
            m = build_model(enc, **d["model_kwargs"])
            m.load_state_dict(d["state_dict"])
            cands.append(("trained-" + enc, m))
    for name, m in cands:
        m.eval()
        worst = 0.0
        with torch.no_grad():
            ctx = m.pos.prepare(T, torch.device("cpu"))
            for layer in range(m.n_layers):
                for qs, qe in [(0, 256), (64, 200), (100, 300), (T - 256, T)]:
                    a = m.pos.bias_matrix(layer, qs, qe, ctx)
                    b = m.pos.direct_bias(layer, qs, qe).flip(-1)
                    mask = torch.ones(qe - qs, qe, dtype=torch.bool).tril(qs)
                    worst = max(worst, float((a - b).abs()[:, mask].max()))
        res[name] = worst
    return res


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--length", type=int, default=32768)
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--models", default="zoo/models")
    ap.add_argument("--rounds", type=int, default=2)
    a = ap.parse_args()
    res = {"alibi": [], "fire": []}
    for rnd in range(a.rounds):  # alternate the two so that machine load hits both alike
        for enc in ["alibi", "fire"]:
            path = os.path.join(a.models, enc + ".pt")
            r = measure(enc, a.length, path, a.threads, a.repeats)
            res[enc].append(r)
            print(f"{enc:6s} T={a.length} src={r['src']} time={r['seconds']:.2f}s "
                  f"peak_rss={r['peak_rss_mb']:.0f}MB", flush=True)
    best = {k: min(x["seconds"] for x in v) for k, v in res.items()}
    ratio = best["fire"] / best["alibi"]
    print(f"FIRE/ALiBi time ratio at T={a.length} (best of {a.rounds}): {ratio:.3f} "
          f"(requirement <= 1.5)")
    for name, err in fast_path_error(4096).items():
        print(f"FIRE fast-path max abs error vs direct MLP ({name}, T=4096): {err:.3e} "
              f"(requirement <= 1e-4)")


if __name__ == "__main__":
    main()
