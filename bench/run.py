"""Benchmarks (`make bench`): run every `bench_*.py` beside this file; each defines `run() -> dict`.
Results are merged into figures/benchmarks.json (one section per benchmark file)."""
import importlib.util, sys, time, platform, os
from pathlib import Path
from epinb.config import merge_metrics, repo_root

here = Path(__file__).parent
out = repo_root() / "figures/benchmarks.json"
only = sys.argv[1:]
for f in sorted(here.glob("bench_*.py")):
    name = f.stem[len("bench_"):]
    if only and name not in only: continue
    spec = importlib.util.spec_from_file_location(f.stem, f); mod = importlib.util.module_from_spec(spec); spec.loader.exec_module(mod)
    print(f"[bench] {name} ...", flush=True); t0 = time.time()
    res = mod.run()
    res["machine"] = f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores"
    res["wall_seconds"] = round(time.time() - t0, 2)
    merge_metrics(name, res, out)
    print(f"[bench] {name}: {res}", flush=True)
