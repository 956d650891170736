"""Parallel work (issue 26): two of the paper's fold loops on a Dask LocalCluster of 1 and of 2 workers, and a
projection of the whole paper's wall time at 8 and 32 workers from measured task durations.

Measured here, full profile, real data, each configuration a fresh `LocalCluster` on 127.0.0.1 (`epinb.compute`):
- notebook 22's two fold loops: the nested feature selection (`group_selection`, 3 chromosome groups x 2 cells) and
  the leave-one-chromosome-out loop (`loco_fold`, one task per chromosome); inputs built as the notebook builds them;
- notebook 24's cross-validation of the CNN on the iEnhancer training set (`cross_fit`, 5 MD5-grouped folds, the
  full profile's epochs and size).
One worker runs the profile's 2 threads; two workers run their share of this machine's cores each
(`worker_threads`). Reported: wall seconds, the ratio, the sum of the tasks' own seconds over the wall time (the
parallelism obtained), and whether the results are identical (LightGBM's are for any thread count; ridge, through BLAS,
and a network trained with another thread count differ in the last digits, reported as the largest difference).

Projection: every paper notebook is its serial part (its run time in the committed full run, `figures/metrics.json`
run.seconds, minus its tasks) followed by its independent tasks; the task durations are the ones measured here
(notebook 22) and the committed run's own training records (notebooks 23 and 25: the epoch seconds of every member in
`figures/tables/*_history.csv`; notebook 24: its per-fit seconds times the folds fitted). Two schedules, each simulated
by list scheduling on W workers (longest remaining path first):
- `paper_as_run`: what `epinb figures --workers W` does today: whole notebooks side by side (the summary last), the
  loops inside each notebook in its own kernel, one after the other;
- `loops_on_cluster`: the notebooks' tasks on the cluster too (their kernels joined to it): the critical path is then
  the longest serial part plus its longest task.
`epinb figures --workers W` joins the kernels to the cluster when W exceeds the notebooks running side by side (6),
so `projected_paper_W_workers_seconds` is `paper_as_run` up to 6 workers and `loops_on_cluster` beyond.
"""
import heapq, json, os, time
import numpy as np
import pandas as pd

SECTION = "parallel"


def _loco_inputs():
    "Notebook 22's inputs for its selection and LOCO loops, full profile (as cells c004 and c006 build them)."
    from epinb.config import get_profile
    from epinb.io import load_ml4g
    from epinb.tracks import ml4g_tracks
    from epinb.features import base_features, tss_window
    from epinb.splits import chrom_kfold
    from epinb.gbm import design
    P = get_profile("full"); seed = 0
    cells = {c: load_ml4g(c) for c in ("X1", "X2")}
    ids = cells["X1"].gene_id[cells["X1"].chrom.isin(P.chromosomes)]
    if P.max_genes: ids = ids.sample(min(P.max_genes, len(ids)), random_state=seed)
    cells = {c: g.set_index("gene_id").loc[ids.sort_values()].reset_index() for c, g in cells.items()}
    tracks = {c: ml4g_tracks(c) for c in cells}
    raw = {c: base_features(g, tracks[c], {m: t.peaks for m, t in tracks[c].items()}, tss=tss_window(100, "one")) for c, g in cells.items()}
    y = {c: g.gex.to_numpy() for c, g in cells.items()}
    chrom = cells["X1"].chrom.to_numpy()
    group_of = chrom_kfold(chrom, 3, seed); groups = sorted(set(group_of.values()))
    X = {g: {c: design(raw[c], cells[c], np.array([group_of[ch] != g for ch in chrom])) for c in cells} for g in groups}
    return dict(cells=cells, X=X, y=y, chrom=chrom, group_of=group_of, groups=groups,
                n_sel=max(P.n_estimators // 4, 40), n_est=P.n_estimators // 3)


def _nb22_loops(inp, client):
    "(selection, LOCO tables, {loop: compute_map record}) of notebook 22 on `client`."
    from epinb.compute import compute_map, last_map
    from epinb.gbm import group_selection, loco_fold
    tasks = [(g, s) for g in inp["groups"] for s in inp["cells"]]
    chosen = compute_map(group_selection, tasks, keys=[("select",) + t for t in tasks], client=client, desc="selection",
                         shared=dict(X=inp["X"], y=inp["y"], chrom=inp["chrom"], group_of=inp["group_of"], top_ns=(30, 60),
                                     n_estimators=inp["n_sel"], seed=0))
    rec = {"selection": dict(last_map)}
    sel = dict(zip(tasks, chosen))
    for g in inp["groups"]:
        sel[g, "pooled"] = dict(features=list(dict.fromkeys(sel[g, "X1"]["features"] + sel[g, "X2"]["features"])),
                                threshold=float(np.mean([sel[g, "X1"]["threshold"], sel[g, "X2"]["threshold"]])))
    held = sorted(set(inp["chrom"]), key=lambda c: int(c[3:]))
    parts = compute_map(loco_fold, held, keys=[("loco", c) for c in held], client=client, desc="LOCO",
                        shared=dict(X=inp["X"], y=inp["y"], chrom=inp["chrom"], sel=sel, group_of=inp["group_of"],
                                    gene_ids={e: inp["cells"][e].gene_id.to_numpy() for e in inp["cells"]},
                                    n_estimators=inp["n_est"], seed=0))
    rec["loco"] = dict(last_map)
    return sel, pd.concat([t for p in parts for t in p], ignore_index=True), rec


def _cnn_inputs():
    "Notebook 24's iEnhancer training set in its 5 MD5-grouped folds, full profile."
    from epinb.io import read_ienhancer, ienhancer_training_set
    from epinb.sequence import sanitize, md5_key
    from epinb.splits import group_kfold
    ie = read_ienhancer()
    ie["seq"] = [sanitize(s, record=i, file="ienhancer") for s, i in zip(ie.seq, ie.id)]
    ie["key"] = ie.seq.map(md5_key)
    train = ienhancer_training_set(ie)
    train["fold"] = group_kfold(train.key, 5, 0, strata=train.strong.fillna(-1))
    return train


def _cnn_cv(train, client):
    "(out-of-fold P(enhancer), compute_map record) of the CNN's 5-fold cross-validation on `client`."
    from epinb.config import get_profile, torch_device
    from epinb.compute import last_map, active_client
    from epinb.sequence_nets import cross_fit, model_size
    assert active_client() is client                               # cross_fit's compute_map uses the process's Dask client
    epochs = min(get_profile("full").epochs, 15)                  # notebook 24's max_epochs
    r = cross_fit("cnn", train, ["strong"], 200, {}, seed=0, epochs=epochs, device=torch_device("cpu"), progress=False, **model_size("cnn", "cpu"))
    return r["pred"]["val"][0], dict(last_map)


def _measure(build, run, workers_list=(1, 2)):
    "Each configuration on a fresh LocalCluster: {workers: (result, record, wall seconds)}."
    from epinb.compute import dask_cluster
    out = {}
    for w in workers_list:
        with dask_cluster(workers=w, profile="full", quiet=True) as client:
            t0 = time.perf_counter(); res = run(build, client); out[w] = (res, time.perf_counter() - t0)
    return out


def _schedule(jobs, workers: int) -> float:
    """Makespan of list scheduling on `workers`: `jobs` = {name: (seconds, [names it waits for])}; a ready job with the
    longest remaining path (its own seconds plus its longest chain of dependants) starts first."""
    succ = {j: [] for j in jobs}
    for j, (_, deps) in jobs.items():
        for d in deps: succ[d].append(j)
    rank = {}
    def path(j):
        if j not in rank: rank[j] = jobs[j][0] + max((path(s) for s in succ[j]), default=0.0)
        return rank[j]
    waiting = {j: len(deps) for j, (_, deps) in jobs.items()}
    ready = [(-path(j), j) for j, n in waiting.items() if n == 0]; heapq.heapify(ready)
    running, now, free = [], 0.0, workers
    while ready or running:
        while ready and free:
            _, j = heapq.heappop(ready); heapq.heappush(running, (now + jobs[j][0], j)); free -= 1
        now, j = heapq.heappop(running); free += 1
        for s in succ[j]:
            waiting[s] -= 1
            if waiting[s] == 0: heapq.heappush(ready, (-path(s), s))
    return now


def _paper_tasks(nb22_tasks):
    "{notebook: (run seconds, [task seconds])} of the committed full run (see the module docstring)."
    from epinb.config import repo_root
    root = repo_root() / "figures"
    m = json.loads((root / "metrics.json").read_text())
    secs = m["run"]["seconds"]
    def hist(name, by):   # one task per member (the chosen candidate's seed-0 run is listed twice in e116_history)
        h = pd.read_csv(root / "tables" / f"{name}.csv")
        return h.drop(columns=[c for c in ("selection",) if c in h]).drop_duplicates().groupby(by, dropna=False).seconds.sum().tolist()
    e = m["enhancers"]
    nb24 = [e[f"{k}_{d}_fit_seconds"] for k in ("cnn", "cnn_lstm", "motif_lr") for d in ("ienhancer", "vista") for _ in range(5)]
    nb24 += [e[f"transformer_{d}_fit_seconds"] for d in ("ienhancer", "vista")]       # fitted on fold 0 only on CPU
    tasks = {"22_expression_gbm": nb22_tasks,
             "23_histone_net": hist("histone_net_history", ["split", "seed"]),
             "24_enhancers": nb24,
             "25_e116": hist("e116_history", ["split", "task", "n", "seed", "d_model"])}
    return {nb: (float(s), [float(t) for t in tasks.get(nb, [])]) for nb, s in secs.items()}


def projection(paper: dict, workers: int) -> dict:
    "Both schedules' makespans (seconds) on `workers` for `paper` = {notebook: (run seconds, [task seconds])}."
    last = [nb for nb in paper if nb.startswith("29")]
    first = [nb for nb in paper if nb not in last]
    whole = {nb: (paper[nb][0], [] if nb in first else first) for nb in paper}
    loops = {}
    for nb in first:
        total, tasks = paper[nb]
        loops[nb + ":serial"] = (max(total - sum(tasks), 0.0), [])
        for i, t in enumerate(tasks): loops[f"{nb}:task{i}"] = (t, [nb + ":serial"])
    for nb in last: loops[nb] = (paper[nb][0], [j for j in loops])
    crit = max(max(paper[nb][0] - sum(paper[nb][1]), 0) + max(paper[nb][1], default=0) for nb in first) + sum(paper[nb][0] for nb in last)
    return dict(paper_as_run=_schedule(whole, workers), loops_on_cluster=_schedule(loops, workers), loops_on_cluster_critical_path=crit)


def as_run_projection(res: dict, notebooks: int = 6) -> dict:
    "`projected_paper_W_workers_seconds`: the schedule `epinb figures --workers W` uses (see the module docstring)."
    return {f"projected_paper_{w}_workers_seconds": res[f"projected_{'loops_on_cluster' if w > notebooks else 'paper_as_run'}_{w}_workers_seconds"]
            for w in (1, 2, 8, 32)}


def run():
    if (os.cpu_count() or 1) < 2: return None
    os.environ.pop("EPINB_THREADS", None)                          # each configuration's workers get their own share
    out = dict(cores=os.cpu_count())
    # the whole-paper timing with `--workers 2` is measured by its own run (`time epinb figures --profile full --workers 2`,
    # about an hour), not here: its keys are carried over, since merge_metrics replaces the section
    from epinb.config import read_metrics, repo_root
    prev = read_metrics(repo_root() / "figures/benchmarks.json").get(SECTION, {})
    out.update({k: v for k, v in prev.items() if k.startswith("full_paper_")})
    inp = _loco_inputs()
    nb22 = _measure(inp, _nb22_loops)
    (sel1, loco1, rec1), wall1 = nb22[1]; (sel2, loco2, rec2), wall2 = nb22[2]
    same = all(sel1[k]["features"] == sel2[k]["features"] and sel1[k]["threshold"] == sel2[k]["threshold"] for k in sel1)
    # LightGBM (two-stage and one-stage) exactly; ridge through BLAS, whose sums follow the thread count
    ridge = [c for c in loco1 if c.startswith("ridge_")]
    same = same and loco1.drop(columns=ridge).equals(loco2.drop(columns=ridge))
    out["nb22_ridge_max_abs_difference_1_vs_2_workers"] = float(np.abs(loco1[ridge].to_numpy() - loco2[ridge].to_numpy()).max())
    for loop in ("selection", "loco"):
        for w, rec in ((1, rec1), (2, rec2)):
            r = rec[loop]
            out[f"nb22_{loop}_{w}_workers_wall_seconds"] = round(r["wall"], 2)
            out[f"nb22_{loop}_{w}_workers_task_seconds_over_wall"] = round(sum(r["task_seconds"]) / r["wall"], 3)
        out[f"nb22_{loop}_tasks"] = rec1[loop]["tasks"]
        out[f"nb22_{loop}_speedup_2_vs_1_workers"] = round(rec1[loop]["wall"] / rec2[loop]["wall"], 3)
    out["nb22_lightgbm_identical_1_vs_2_workers"] = bool(same)   # selections, thresholds and every LightGBM prediction
    cnn = _measure(_cnn_inputs(), _cnn_cv)
    (p1, c1), _ = cnn[1]; (p2, c2), _ = cnn[2]
    for w, r in ((1, c1), (2, c2)):
        out[f"nb24_cnn_cv_{w}_workers_wall_seconds"] = round(r["wall"], 2)
        out[f"nb24_cnn_cv_{w}_workers_task_seconds_over_wall"] = round(sum(r["task_seconds"]) / r["wall"], 3)
    out["nb24_cnn_cv_tasks"] = c1["tasks"]
    out["nb24_cnn_cv_speedup_2_vs_1_workers"] = round(c1["wall"] / c2["wall"], 3)
    out["nb24_cnn_cv_max_abs_difference_1_vs_2_workers"] = float(np.max(np.abs(np.asarray(p1) - np.asarray(p2))))
    paper = _paper_tasks(rec1["selection"]["task_seconds"] + rec1["loco"]["task_seconds"])
    out["paper_sequential_seconds"] = round(sum(s for s, _ in paper.values()), 1)
    out["paper_task_seconds"] = {nb: round(sum(t), 1) for nb, (_, t) in paper.items()}
    for w in (1, 2, 8, 32):
        for k, v in projection(paper, w).items():
            if k.endswith("critical_path"): out[k + "_seconds"] = round(v, 1)
            else: out[f"projected_{k}_{w}_workers_seconds"] = round(v, 1)
    out.update(as_run_projection(out))
    out["projection_note"] = ("from the committed full run's notebook times and training records plus notebook 22's tasks "
                              "measured here; serial part = notebook time minus its tasks; list scheduling, no transfer costs")
    return out


if __name__ == "__main__":
    print(json.dumps(run(), indent=1))
