"""lengen reference model zoo (see zoo/README.md)."""
import os as _os

# On a 2-core machine shared with compiles, spinning OpenMP workers (libgomp's default
# ACTIVE wait policy) collapse throughput 5-8x whenever another process holds a core;
# PASSIVE keeps 2-thread speed on an idle machine and ~1-thread speed under contention.
# Must be set before torch / numpy (OpenBLAS-openmp) load libgomp.
_os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
