import os, sys, subprocess, tempfile
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


# The quick paper (every paper notebook, `epinb figures --profile quick`) is the longest piece of the test run and runs
# on one thread (EPINB_THREADS=1), so it starts in the background as soon as the tests are collected, when any selected
# test needs it, and the tests that use it run last: the others meanwhile use the second core. Its results do not
# depend on what runs beside it (one thread, seeded, LightGBM and torch deterministic).
_QUICK: dict = {}


def _paper_figures():
    "mtimes of the tracked paper outputs (figures/): the quick run must leave them alone."
    return {p: p.stat().st_mtime_ns for p in (ROOT / "figures").rglob("*") if p.is_file()} if (ROOT / "figures").exists() else {}


def _start_quick_paper():
    out, err = (tempfile.TemporaryFile("w+") for _ in range(2))
    before = _paper_figures()
    env = {**os.environ, "EPINB_THREADS": "1", "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen([str(BIN / "epinb"), "figures", "--profile", "quick"], stdout=out, stderr=err, text=True, cwd=ROOT, env=env)
    _QUICK.update(proc=proc, out=out, err=err, before=before)


@pytest.hookimpl(trylast=True)   # after -k / -m deselection: only a test that will run starts the paper
def pytest_collection_modifyitems(session, config, items):
    uses = [i for i in items if "quick_paper" in getattr(i, "fixturenames", ())]
    if not uses: return
    items[:] = [i for i in items if i not in uses] + uses
    if not config.option.collectonly: _start_quick_paper()


def pytest_sessionfinish(session, exitstatus):
    proc = _QUICK.get("proc")
    if proc is not None and proc.poll() is None:   # the run was stopped before a test needed the paper
        proc.terminate()
        try: proc.wait(timeout=60)
        except subprocess.TimeoutExpired: proc.kill()


@pytest.fixture(scope="session")
def quick_paper():
    """One `epinb figures --profile quick` run of every paper notebook with the defaults (build/quick/), shared by the
    tests that need a whole run: the end-to-end run itself, the two-worker comparison, the web pages. Each paper notebook
    is executed here in a fresh papermill kernel, as `make figures` runs it (nbdev_test runs the library notebooks).
    Started in the background when the tests are collected (above); this waits for it.
    Returns {figures, build, stdout, paper_figures_before, paper_figures_after} (mtimes of the tracked figures/)."""
    if "proc" not in _QUICK: _start_quick_paper()   # e.g. a plugin reordered or re-collected the tests
    proc = _QUICK["proc"]; proc.wait()
    (out := _QUICK["out"]).seek(0); (err := _QUICK["err"]).seek(0)
    stdout, stderr = out.read(), err.read()
    assert proc.returncode == 0, stderr[-3000:]
    return dict(figures=ROOT / "build/quick/figures", build=ROOT / "build/quick", stdout=stdout,
                paper_figures_before=_QUICK["before"], paper_figures_after=_paper_figures())
