"""zoo/retrieval_table.py: pooled counts, Wilson intervals and the target count."""
import csv

from zoo.retrieval_table import load, table, wilson

FIELDS = ["model", "task", "length", "depth", "status", "n", "exact_match", "accuracy"]


def write_run(tmp_path, rows):
    with open(tmp_path / "tasks.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=FIELDS)
        w.writeheader()
        for r in rows:
            w.writerow(dict(zip(FIELDS, r)))
    return str(tmp_path)


def test_wilson_matches_known_values():
    lo, hi = wilson(13, 16)
    assert abs(lo - 0.570) < 1e-3 and abs(hi - 0.934) < 1e-3
    assert wilson(0, 16)[0] == 0.0 and abs(wilson(0, 16)[1] - 0.194) < 1e-3


def test_table_pools_cells_of_one_length_and_counts_the_target(tmp_path):
    run = write_run(tmp_path, [
        ("a", "passkey", 512, 10, "ok", 16, 0.875, 1.0),
        ("a", "passkey", 512, 90, "ok", 16, 1.0, 1.0),
        ("a", "niah", 512, 10, "ok", 16, 0.5, 0.75),
        ("a", "passkey", 1024, 10, "ok", 16, 0.0, 0.0),   # another length: ignored
        ("b", "passkey", 512, 10, "ok", 16, 0.25, 0.5),
        ("b", "passkey", 512, 90, "failed", 16, 1.0, 1.0),  # not ok: ignored
        ("b", "niah", 512, 10, "ok", 16, 0.0, 0.25),
    ])
    lines = table(load(run, 512), 0.9)
    row_a = next(x for x in lines if x.startswith("| a |"))
    row_b = next(x for x in lines if x.startswith("| b |"))
    assert "0.88 / 1.00" in row_a and "30/32 = 0.938" in row_a and "8/16 = 0.500" in row_a
    assert "4/16 = 0.250" in row_b
    assert lines[-1].startswith("passkey EM >= 0.9: 1 of 2 models (a)")


def test_runs_pool_by_depth(tmp_path):
    (tmp_path / "s1").mkdir()
    (tmp_path / "s2").mkdir()
    r1 = write_run(tmp_path / "s1", [("a", "passkey", 512, 10, "ok", 16, 0.75, 1.0),
                                     ("a", "passkey", 512, 90, "ok", 16, 1.0, 1.0)])
    r2 = write_run(tmp_path / "s2", [("a", "passkey", 512, 10, "ok", 16, 1.0, 1.0),
                                     ("a", "passkey", 512, 90, "ok", 16, 1.0, 1.0)])
    row = next(x for x in table(load([r1, r2], 512), 0.9) if x.startswith("| a |"))
    assert "0.88 / 1.00" in row and "60/64 = 0.938" in row
