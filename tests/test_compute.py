"""Issue 26 with real components: a two-worker Dask LocalCluster on 127.0.0.1 gives the in-process results; a worker
killed mid-task has its task retried with identical results; an unreachable scheduler is a clear error within seconds;
a task that raises surfaces its own exception naming its key; and `epinb figures --workers 2` writes the metrics.json
of the sequential quick run."""
import json, os, signal, time
from pathlib import Path
import numpy as np
import pytest
from epinb.compute import compute_map, dask_cluster
from epinb.errors import InputError

ROOT = Path(__file__).resolve().parents[1]


def noisy_fold(fold):
    "A stand-in fold: slow enough to be killed in, and random from the task's own seed."
    time.sleep(1.5)
    return fold, float(np.random.default_rng(np.random.randint(2 ** 31)).normal())


def failing_fold(fold):
    if fold == 2: raise ZeroDivisionError("fold 2 has no genes")
    return fold


@pytest.fixture(scope="module")
def client():
    with dask_cluster(workers=2, quiet=True) as c: yield c


def test_cluster_gives_the_in_process_results(client):
    keys = [("chrom", f"chr{i}") for i in range(6)]
    assert compute_map(noisy_fold, range(6), keys, client=client) == compute_map(noisy_fold, range(6), keys, client=None)


def test_a_killed_worker_has_its_tasks_retried(client):
    keys = [("seed", i) for i in range(6)]
    pids = list(client.run(os.getpid).values())
    import threading
    def kill_soon():
        time.sleep(0.8); os.kill(pids[0], signal.SIGKILL)
    t = threading.Thread(target=kill_soon); t.start()
    got = compute_map(noisy_fold, range(6), keys, client=client)
    t.join()
    assert got == compute_map(noisy_fold, range(6), keys, client=None)
    client.wait_for_workers(2, timeout=60)   # the nanny restarts the killed worker


def test_a_raising_task_names_its_key(client):
    with pytest.raises(ZeroDivisionError, match="fold 2 has no genes") as e:
        compute_map(failing_fold, range(4), [("fold", i) for i in range(4)], client=client)
    assert "epinb task ('fold', 2)" in "".join(getattr(e.value, "__notes__", [])) or "('fold', 2)" in str(e.value)


def test_unreachable_scheduler_is_a_clear_error():
    t0 = time.time()
    with pytest.raises(InputError, match="tcp://127.0.0.1:9: expected the address of a running Dask scheduler"):
        with dask_cluster(scheduler="tcp://127.0.0.1:9", timeout=3): pass
    assert time.time() - t0 < 30


def test_figures_on_two_workers_match_the_sequential_run(run_epinb, tmp_path, quick_paper):
    "The quick paper side by side on 2 workers and one after the other (the session's run): the same metrics.json, timings aside."
    from test_paper import strip_timings
    figs = tmp_path / "figures_dask"
    r = run_epinb("figures", "--profile", "quick", "--figures", figs, "--build", tmp_path / "build_dask", "--workers", "2", "--no-html",
                  env={"EPINB_THREADS": "1", "OMP_NUM_THREADS": "1"})
    assert r.returncode == 0, r.stderr[-3000:]
    seq, dask = (json.loads((f / "metrics.json").read_text()) for f in (quick_paper["figures"], figs))
    assert "Dask LocalCluster: 2 workers" in r.stdout and dask["run"]["workers"] == 2 and seq["run"]["workers"] == 0
    assert set(seq) >= {"data_overview", "expression_gbm", "histone_net", "enhancers", "e116", "run"}
    assert strip_timings(seq) == strip_timings(dask)
    assert not (tmp_path / "build_dask" / "html").exists() and (quick_paper["build"] / "html" / "index.html").exists()   # --no-html
    # six notebooks on two workers keep both busy: each notebook's loops ran in its own kernel
    assert not any("tasks on the Dask cluster" in (tmp_path / "build_dask" / nb.name).read_text() for nb in (ROOT / "nbs").glob("2[2-5]_*.ipynb"))
    # one notebook on two workers: its kernel joins the cluster (EPINB_SCHEDULER) and its selection and LOCO folds run
    # there, with the same numbers. (Notebook 23's networks trained on the workers once differed from the sequential run
    # in the 6th digit in a fresh-clone run, though not in two runs here: an open defect, see the README.)
    r = run_epinb("figures", "--profile", "quick", "--only", "22", "--figures", figs, "--build", tmp_path / "build_join", "--workers", "2", "--no-html",
                  env={"EPINB_THREADS": "1", "OMP_NUM_THREADS": "1"})
    assert r.returncode == 0, r.stderr[-3000:]
    assert "their loops on the cluster" in r.stdout
    assert (tmp_path / "build_join" / "22_expression_gbm.ipynb").read_text().count("tasks on the Dask cluster (2 workers)") == 2   # selection, LOCO
    joined = json.loads((figs / "metrics.json").read_text())
    assert strip_timings(joined)["expression_gbm"] == strip_timings(seq)["expression_gbm"]


def where_it_ran(_):
    "Inside a task: the client a nested compute_map would use (None: the task's loops run where the task runs)."
    from epinb.compute import active_client
    return active_client() is None


def test_a_task_runs_its_own_loops_in_place(client):
    assert compute_map(where_it_ran, [0, 1], ["a", "b"], client=client) == [True, True]


def test_a_process_joins_the_cluster_named_by_epinb_scheduler(client):
    import subprocess, sys
    code = ("import operator; from epinb.compute import compute_map, last_map; "
            "print(compute_map(operator.neg, [1, 2]), last_map['where'], last_map['workers'])")
    env = dict(os.environ, EPINB_SCHEDULER=client.scheduler.address)
    r = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    assert r.stdout.split() == ["[-1,", "-2]", "cluster", "2"] and "2 tasks on the Dask cluster (2 workers)" in r.stderr
    bad = subprocess.run([sys.executable, "-c", code], env=dict(os.environ, EPINB_SCHEDULER="tcp://127.0.0.1:9"), capture_output=True, text=True, timeout=120)
    assert bad.returncode != 0 and "EPINB_SCHEDULER" in bad.stderr and "tcp://127.0.0.1:9" in bad.stderr


def test_networks_trained_on_the_cluster_are_bit_identical_to_in_process(client):
    """Notebook 23's fold loop itself: `fit_member` (HistoneNet, the trainer, early stopping) for two splits on the
    workers and in this process at the workers' thread count: every weight and every history value bit for bit."""
    import torch
    from epinb.histone_net import fit_member
    from epinb.config import torch_threads
    rng = np.random.default_rng(0)
    x = rng.standard_normal((240, 7, 30)).astype(np.float32)
    yv = (x[:, 2, 13:17].mean(1) + 0.3 * rng.standard_normal(240)).astype(np.float32)
    labels = {"a": np.repeat(["train", "val", "test"], [160, 40, 40]), "b": np.repeat(["test", "val", "train"], [40, 40, 160])}
    specs = [dict(split=s, seed=k, net=dict(d_model=32, n_layers=1, n_heads=2), fit=dict(epochs=2, lr=2e-3, batch_size=64, patience=2))
             for s, k in (("a", 0), ("b", 1))]
    keys = [("member", m["split"], m["seed"]) for m in specs]
    shared = dict(X={s: x for s in labels}, Y={s: yv for s in labels}, labels=labels, device="cpu")
    threads = set(client.run(torch.get_num_threads).values())
    assert len(threads) == 1
    with torch_threads(threads.pop()): here = compute_map(fit_member, specs, keys, client=None, shared=shared)
    there = compute_map(fit_member, specs, keys, client=client, shared=shared)
    for (n1, h1), (n2, h2) in zip(here, there):
        s1, s2 = n1.state_dict(), n2.state_dict()
        assert list(s1) == list(s2) and all(torch.equal(s1[k], s2[k]) for k in s1)
        assert h1.drop(columns="seconds").equals(h2.drop(columns="seconds"))
