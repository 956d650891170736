"""Threads on a shared machine (issue 24): one LightGBM fit and one histone-net epoch, alone and beside a competing
CPU-bound process, with 1 and 2 threads, under three OpenMP wait policies:

- `default`: OpenMP's own (libgomp spins a while at each barrier, then sleeps), what epinb keeps unless the
  environment names a policy (the choice and its reasons: `nbs/00_config.ipynb`, Threads). The worker imports torch
  and LightGBM before epinb, so that no policy could reach their OpenMP in any case.
- `active`: `OMP_WAIT_POLICY=ACTIVE` (threads spin at barriers until released).
- `passive`: `OMP_WAIT_POLICY=PASSIVE` (threads sleep at once).

Every timing is a fresh Python process (`python bench_threads.py worker ...`): OpenMP reads its policy once, when it
loads. The competitor is one `while True: pass` process, started before the timed work and killed after it. Each
timing is the median of `REPEATS` runs inside the worker, after one untimed warm-up. A timing that does not finish in
`TIMEOUT` seconds is recorded as that limit with `_timed_out` set (a lower bound). Ratios are to the same task alone
with the same thread count and policy (`slowdown_beside_competitor`), and to the passive policy alone
(`..._vs_passive_alone`), so the cost of the policy on an idle machine reads off `passive` vs `default` alone."""
import json, os, subprocess, sys, time
from pathlib import Path
import numpy as np

HERE = Path(__file__).resolve()
TIMEOUT = 240       # seconds per worker process (warm-up + repeats)
REPEATS = 3
LGBM = dict(rows=3000, features=270, n_estimators=60)             # one regressor of the 3 x 60-tree measurement
HISTONE_ROWS = 4096                                               # genes per timed histone-net epoch (notebook 23's shape)
POLICIES = ("default", "active", "passive")


def worker(task: str, threads: int, policy: str) -> list:
    "Seconds of `REPEATS` timed runs of `task` in this process (after one warm-up); called in a fresh process."
    if policy == "default":   # OpenMP starts before epinb can set a policy
        import torch, lightgbm  # noqa: F401
        import warnings; warnings.simplefilter("ignore")
    os.environ["EPINB_THREADS"] = str(threads)
    from epinb.config import torch_device
    if task == "lgbm":
        import lightgbm as lgb
        from epinb.gbm import lgbm_params
        rng = np.random.default_rng(0)
        X = rng.normal(size=(LGBM["rows"], LGBM["features"])); y = X[:, :10].sum(1) + rng.normal(size=LGBM["rows"])
        def once(): lgb.LGBMRegressor(**lgbm_params(0, LGBM["n_estimators"])).fit(X, y)
    else:
        sys.path.insert(0, str(HERE.parent))
        from bench_epochs import time_histone_epoch
        device = torch_device("cpu")
        return [float(s) for s in time_histone_epoch(device, rows=HISTONE_ROWS, repeats=REPEATS)]
    once(); out = []
    for _ in range(REPEATS):
        t0 = time.perf_counter(); once(); out.append(time.perf_counter() - t0)
    return out


def measure(task, threads, policy, competitor: bool) -> tuple[float, bool]:
    "(median seconds, timed out) of one configuration, each in a fresh process."
    env = {k: v for k, v in os.environ.items() if k not in ("OMP_WAIT_POLICY", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                                                             "MKL_NUM_THREADS", "EPINB_THREADS")}
    if policy != "default": env["OMP_WAIT_POLICY"] = policy.upper()
    busy = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if competitor else None
    try:
        r = subprocess.run([sys.executable, str(HERE), "worker", task, str(threads), policy], env=env,
                           capture_output=True, text=True, timeout=TIMEOUT)
        if r.returncode: raise RuntimeError(f"bench_threads worker {task} {threads} {policy} failed:\n{r.stderr[-2000:]}")
        return float(np.median(json.loads(r.stdout.strip().splitlines()[-1]))), False
    except subprocess.TimeoutExpired:
        return float(TIMEOUT), True
    finally:
        if busy: busy.kill(); busy.wait()


def run(tasks=("lgbm", "histone_epoch"), threads=(1, 2), policies=POLICIES) -> dict:
    res = dict(repeats=REPEATS, timeout_seconds=TIMEOUT, competitor="one busy-loop process", lgbm_shape=LGBM,
               histone_epoch_rows=HISTONE_ROWS, cores=os.cpu_count())
    for task in tasks:
        for n in threads:
            for pol in policies:
                for comp in (False, True):
                    s, out = measure(task, n, pol, comp)
                    key = f"{task}_{n}t_{pol}_{'busy' if comp else 'alone'}_seconds"
                    res[key] = round(s, 3)
                    if out: res[key.replace("_seconds", "_timed_out")] = True
                    print(f"  {key}: {res[key]}{' (timed out)' if out else ''}", flush=True)
                alone, busy = res[f"{task}_{n}t_{pol}_alone_seconds"], res[f"{task}_{n}t_{pol}_busy_seconds"]
                res[f"{task}_{n}t_{pol}_slowdown_beside_competitor"] = round(busy / alone, 2)
            base = res[f"{task}_{n}t_passive_alone_seconds"]
            for pol in policies:
                for where in ("alone", "busy"):
                    res[f"{task}_{n}t_{pol}_{where}_vs_passive_alone"] = round(res[f"{task}_{n}t_{pol}_{where}_seconds"] / base, 2)
    return res


if __name__ == "__main__":
    if sys.argv[1:2] == ["worker"]:
        print(json.dumps(worker(sys.argv[2], int(sys.argv[3]), sys.argv[4])))
    else:
        print(json.dumps(run(), indent=1))
