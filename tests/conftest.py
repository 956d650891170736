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
