"""Benchmarks (`make bench`): run every `bench_*.py` beside this file (or those named: `run.py epochs motifs`); each
defines `run() -> dict`, or None where it cannot run here (a GPU benchmark without a GPU), which leaves its section as
it was. Results are merged into figures/benchmarks.json (one section per benchmark file)."""
import importlib.util, sys, time, platform, os
from pathlib import Path

HERE = Path(__file__).parent


def load_benchmark(path):
    "The module of one `bench_*.py` file (its `run` not yet called)."
    spec = importlib.util.spec_from_file_location(Path(path).stem, path); mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def main(only=()):
    from epinb.config import merge_metrics, repo_root
    out = repo_root() / "figures/benchmarks.json"
    for f in sorted(HERE.glob("bench_*.py")):
        name = f.stem[len("bench_"):]
        if only and name not in only: continue
        mod = load_benchmark(f)
        print(f"[bench] {name} ...", flush=True); t0 = time.time()
        res = mod.run()
        if res is None:
            print(f"[bench] {name}: cannot run on this machine; its section is left as it was", flush=True); continue
        res["machine"] = f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores"
        res["wall_seconds"] = round(time.time() - t0, 2)
        merge_metrics(name, res, out)
        print(f"[bench] {name}: {res}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
