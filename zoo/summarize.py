"""Print a markdown table of the zoo training runs (zoo/runs/*/summary.json)."""
import glob
import json
import os


def main() -> None:
    rows = []
    for p in sorted(glob.glob(os.path.join("zoo", "runs", "*", "summary.json"))):
        with open(p) as f:
            s = json.load(f)
        rows.append(s)
    print("| encoding | params | train tokens | steps | final train loss (mean of last 10 steps) | seconds | tok/s |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for s in rows:
        print(f"| {s['encoding']} | {s['params']} | {s['train_tokens']} | {s['steps']} | "
              f"{s['final_train_loss']:.4f} | {s['seconds']:.0f} | {s['tokens_per_second']:.0f} |")
    for p in sorted(glob.glob(os.path.join("zoo", "models", "*.pt"))):
        print(f"- {p}: {os.path.getsize(p)} bytes")


if __name__ == "__main__":
    main()
