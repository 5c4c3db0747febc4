"""Stage 3 (zoo/anneal.py): schedule, resumability, and a checkpoint export reads."""
import json
import os

import pytest
import torch

from zoo.anneal import ANNEAL, anneal, anneal_lr
from zoo.export import export
from zoo.train import DEFAULTS, train

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SP = os.path.join(ROOT, "data/tokenizer/lengen-4096.model")
CORPUS = os.path.join(ROOT, "tests/data/corpus")


def test_lr_warms_up_then_ends_at_the_stage2_floor():
    cfg = dict(DEFAULTS, **ANNEAL)
    n, warm = cfg["anneal_steps"], cfg["anneal_warmup"]
    assert anneal_lr(0, cfg) == pytest.approx(cfg["anneal_lr"] / warm)
    assert anneal_lr(warm, cfg) == pytest.approx(cfg["anneal_lr"])
    assert anneal_lr(n, cfg) == pytest.approx(cfg["lr"] * cfg["min_lr_frac"])
    lrs = [anneal_lr(s, cfg) for s in range(warm, n)]
    assert all(a >= b for a, b in zip(lrs, lrs[1:]))


def test_killed_anneal_resumes_to_the_same_result_and_exports(tmp_path):
    os.chdir(ROOT)
    main = tmp_path / "runs" / "alibi"
    train("alibi", tokens=4 * 4 * 512, out_dir=str(main), corpus=CORPUS, sp_model=SP,
          threads=1, batch_size=4, probe_every=1000, log_every=5, copy_steps=5)
    kw = dict(main_dir=str(main), corpus=CORPUS, sp_model=SP, threads=1, steps=20, ckpt_every=10)
    full = tmp_path / "full" / "alibi"
    s = anneal("alibi", out_dir=str(full), **kw)
    part = tmp_path / "part" / "alibi"
    assert anneal("alibi", out_dir=str(part), stop_after=10, **kw) == {"stopped_at": 10}
    assert (part / "resume.pt").exists()
    anneal("alibi", out_dir=str(part), **kw)
    assert not (part / "resume.pt").exists()
    a = torch.load(full / "checkpoint.pt")["state_dict"]
    b = torch.load(part / "checkpoint.pt")["state_dict"]
    m = torch.load(main / "checkpoint.pt")["state_dict"]
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert any(not torch.equal(a[k], m[k]) for k in a)  # the anneal did train
    def rows(p):  # every column but the wall-clock seconds
        return [r.split(",")[:4] + r.split(",")[5:] for r in p.read_text().splitlines()]
    assert rows(full / "loss.csv") == rows(part / "loss.csv")
    assert len(rows(full / "loss.csv")) == 1 + 2
    s2 = json.loads((main / "summary.json").read_text())
    assert s["train_tokens"] == s2["train_tokens"] + 20 * 4 * 512
    assert s["anneal_steps"] == 20 and s["config"]["anneal_seed"] == ANNEAL["anneal_seed"]
    path = export("alibi", runs=str(tmp_path / "full"), out=str(tmp_path))
    assert os.path.getsize(path) > 0


def test_export_takes_the_annealed_checkpoint_when_stage3_finished(tmp_path):
    from zoo.export import final_checkpoint
    run = tmp_path / "fire"
    run.mkdir()
    (run / "checkpoint.pt").write_bytes(b"")
    assert final_checkpoint(str(tmp_path), "fire") == str(run / "checkpoint.pt")
    (run / "anneal").mkdir()
    (run / "anneal" / "resume.pt").write_bytes(b"")  # an unfinished stage 3 is not used
    assert final_checkpoint(str(tmp_path), "fire") == str(run / "checkpoint.pt")
    (run / "anneal" / "checkpoint.pt").write_bytes(b"")
    assert final_checkpoint(str(tmp_path), "fire") == str(run / "anneal" / "checkpoint.pt")
