"""The benchmarks behind `make bench` keep working: each loads and defines `run`, and the epoch benchmark builds its tables
from the real data and trains every shape it times (its timings themselves are measured by `make bench`, not tested)."""
import sys
from pathlib import Path
import torch

BENCH = Path(__file__).resolve().parents[1] / "bench"
sys.path.insert(0, str(BENCH))
from run import load_benchmark as load   # the loader `make bench` uses


def test_every_benchmark_defines_run():
    files = sorted(BENCH.glob("bench_*.py"))
    assert {f.stem for f in files} >= {"bench_epochs", "bench_epochs_gpu", "bench_features", "bench_motifs", "bench_tracks", "bench_threads"}
    for f in files: assert callable(load(f).run), f


def test_epoch_benchmark_on_the_real_tables():
    m = load(BENCH / "bench_epochs.py"); data = m.datasets()
    ie, labels, length, batch, pool = data["ienhancer"]
    assert (length, batch, pool, labels) == (200, 64, 1.0, ["strong"])
    assert ie.key.is_unique and ie.strong[ie.enhancer == 1].notna().all() and ie.strong[ie.enhancer == 0].isna().all()
    vista, tissues, length, batch, pool = data["vista"]
    assert (len(vista), length, batch, pool) == (2120, 1000, 32, 0.85) and len(tissues) >= 7
    cpu = torch.device("cpu")
    for kind, shape in [("cnn", "cpu"), ("cnn_lstm", "cpu"), ("transformer", "cpu"), ("transformer", "reference")]:
        s = m.time_epoch(kind, vista, tissues, length, batch, 8, cpu, shape, repeats=2)
        assert s.shape == (2,) and (s > 0).all()
    s = m.time_histone_epoch(cpu, rows=64, repeats=2)   # the histone net at notebook 23's shape
    assert s.shape == (2,) and (s > 0).all()


def test_gpu_benchmark_leaves_its_section_where_there_is_no_gpu(tmp_path, monkeypatch):
    """Without a GPU (EPINB_DEVICE=cpu refuses one), the GPU benchmark does not run, and `run.py epochs_gpu` keeps the
    GPU figures recorded earlier instead of replacing them."""
    import json
    from run import main
    monkeypatch.setenv("EPINB_DEVICE", "cpu"); monkeypatch.setenv("EPINB_ROOT", str(tmp_path))
    assert load(BENCH / "bench_epochs_gpu.py").run() is None
    (tmp_path / "figures").mkdir(); recorded = {"epochs_gpu": {"gpu": "recorded earlier", "vista_cnn_seconds_per_epoch_gpu": 0.39}}
    (tmp_path / "figures/benchmarks.json").write_text(json.dumps(recorded))
    main(["epochs_gpu"])
    assert json.loads((tmp_path / "figures/benchmarks.json").read_text()) == recorded


def test_thread_benchmark_runs_its_workers():
    """`make bench` section `threads`: each timing is a fresh worker process, alone and beside a busy competitor, and
    the ratios are computed from the timings (one task, one thread count, one policy here)."""
    m = load(BENCH / "bench_threads.py")
    res = m.run(tasks=("lgbm",), threads=(1,), policies=("passive",))
    assert res["lgbm_1t_passive_alone_seconds"] > 0 and res["lgbm_1t_passive_busy_seconds"] > 0
    assert res["lgbm_1t_passive_slowdown_beside_competitor"] == round(res["lgbm_1t_passive_busy_seconds"] / res["lgbm_1t_passive_alone_seconds"], 2)
    assert res["lgbm_1t_passive_alone_vs_passive_alone"] == 1.0
