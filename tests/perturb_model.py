"""Writes a perturbed copy of a TorchScript model (same name and metadata):
every floating parameter is scaled by (1 + SCALE). Used by tests/ci_regression.sh
to prove that `lengen check` catches a changed model.

Usage: /usr/bin/python3 tests/perturb_model.py IN.pt OUT.pt SCALE
"""
import sys

import torch


def main() -> None:
    source, target, scale = sys.argv[1], sys.argv[2], float(sys.argv[3])
    extra = {"lengen.json": ""}
    model = torch.jit.load(source, _extra_files=extra)
    with torch.no_grad():
        for parameter in model.parameters():
            if parameter.is_floating_point():
                parameter.mul_(1.0 + scale)
    torch.jit.save(model, target, _extra_files=extra)


if __name__ == "__main__":
    main()
