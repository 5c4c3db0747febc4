"""FIRE can represent ALiBi, KERPLE and T5 biases (Li et al. 2023, Thm. 3.1) on lengths
<= 512 with L fixed to 512; see zoo/expressiveness.py for the fitting method.
Measured (zoo/README.md): ALiBi 32 units 1.1e-3 abs (range 128); KERPLE 32 units
6.5e-4 (range 10.4); T5 32 units 1.12 (range 6.0, 32 units cannot make 32 steps);
T5 constructive 47 units 1.2e-4."""
from zoo.expressiveness import run_one


def test_fire_fits_alibi():
    r = run_one("alibi", c_grid=[1e-4, 1e-2, 1.0])
    assert r["max_err_direct"] < 5e-3 and r["max_err_fast"] < 5e-3, r  # range ~128


def test_fire_fits_kerple():
    r = run_one("kerple", c_grid=[1e-2, 1.0])
    assert r["max_err_direct"] < 5e-3 and r["max_err_fast"] < 5e-3, r  # range ~10


def test_fire_represents_t5_exactly_with_enough_units():
    r = run_one("t5", hidden=0)
    assert r["hidden"] <= 64
    assert r["max_err_direct"] < 1e-3 and r["max_err_fast"] < 1e-3, r  # range ~6


def test_fire_32_units_approximates_t5():
    r = run_one("t5", c_grid=[1.0])
    assert r["rel_err"] < 0.25, r
