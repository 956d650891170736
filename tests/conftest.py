import os, sys, subprocess
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


@pytest.fixture
def run_epinb():
    "Run the `epinb` console script; returns the CompletedProcess."
    def run(*args, env=None, check=False):
        e = {**os.environ, **(env or {})}
        return subprocess.run([str(BIN / "epinb"), *map(str, args)], capture_output=True, text=True, cwd=ROOT, env=e, check=check)
    return run


def pytest_configure(config):
    config.addinivalue_line("markers", "browser: drives Debian's headless Chromium (JupyterLab, the rendered pages); run alone with -m browser")


@pytest.fixture(scope="session")
def quick_paper():
    """One `epinb figures --profile quick` run of every paper notebook with the defaults (build/quick/), shared by the
    tests that need a whole run: the end-to-end run itself, the two-worker comparison, the web pages. Each paper notebook
    is executed here in a fresh papermill kernel, as `make figures` runs it (nbdev_test runs the library notebooks).
    Returns {figures, build, stdout, paper_figures_before, paper_figures_after} (mtimes of the tracked figures/)."""
    def snapshot():
        return {p: p.stat().st_mtime_ns for p in (ROOT / "figures").rglob("*") if p.is_file()} if (ROOT / "figures").exists() else {}
    before = snapshot()
    env = {**os.environ, "EPINB_THREADS": "1", "OMP_NUM_THREADS": "1"}
    r = subprocess.run([str(BIN / "epinb"), "figures", "--profile", "quick"], capture_output=True, text=True, cwd=ROOT, env=env)
    assert r.returncode == 0, r.stderr[-3000:]
    return dict(figures=ROOT / "build/quick/figures", build=ROOT / "build/quick", stdout=r.stdout,
                paper_figures_before=before, paper_figures_after=snapshot())
