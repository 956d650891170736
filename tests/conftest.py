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
def quick_paper(tmp_path_factory):
    """One `epinb figures --profile quick` run of every paper notebook, shared by the tests that need a whole run (the
    two-worker comparison, the web pages): {figures, build, stdout}. Its pages are rendered into build/html as usual."""
    d = tmp_path_factory.mktemp("quick_paper")
    env = {**os.environ, "EPINB_THREADS": "1", "OMP_NUM_THREADS": "1"}
    r = subprocess.run([str(BIN / "epinb"), "figures", "--profile", "quick", "--figures", str(d / "figures"), "--build", str(d / "build")],
                       capture_output=True, text=True, cwd=ROOT, env=env)
    assert r.returncode == 0, r.stderr[-3000:]
    return dict(figures=d / "figures", build=d / "build", stdout=r.stdout)
