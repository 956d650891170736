"""The Makefile's `bedtools` step, which `make install` (and so `make test` and `make figures`) runs on a fresh machine.

The step is run by the real `make` with a PATH that holds only fakes of `id`, `sudo` and `apt-get`, so bedtools is
missing and every command the step runs is recorded instead of installing anything."""
import os, shutil, stat, subprocess
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
MAKE = shutil.which("make")
pytestmark = pytest.mark.skipif(MAKE is None, reason="make is not installed")


def _fake(folder: Path, name: str, body: str):
    p = folder / name
    p.write_text("#!/bin/bash\n" + body + "\n")
    p.chmod(p.stat().st_mode | stat.S_IXUSR)


def run_bedtools_step(tmp_path, uid: int = 0, apt_rc: int = 0, have_bedtools: bool = False):
    """`make bedtools` as user `uid` with a fake apt-get that exits `apt_rc` (and a fake bedtools if `have_bedtools`);
    returns (CompletedProcess, recorded calls)."""
    fake, log = tmp_path / "bin", tmp_path / "calls.log"
    fake.mkdir()
    if have_bedtools: _fake(fake, "bedtools", "exit 0")
    _fake(fake, "id", f'[ "$1" = -u ] && echo {uid}')
    _fake(fake, "sudo", f'echo "sudo $*" >> {log}; exec "$@"')
    _fake(fake, "apt-get", f'echo "apt-get DEBIAN_FRONTEND=${{DEBIAN_FRONTEND:-unset}} $*" >> {log}; exit {apt_rc}')
    _fake(fake, "env", f'exec /usr/bin/env "$@"')   # keep `env` reachable with only the fakes on PATH
    r = subprocess.run([MAKE, "--no-print-directory", "-s", "bedtools"], cwd=ROOT, capture_output=True, text=True,
                       env={"PATH": str(fake), "HOME": str(tmp_path)})
    return r, log.read_text().splitlines() if log.exists() else []


def test_root_installs_bedtools_with_apt_get_and_no_sudo(tmp_path):
    r, calls = run_bedtools_step(tmp_path, uid=0)
    assert r.returncode == 0, r.stdout + r.stderr
    assert calls == ["apt-get DEBIAN_FRONTEND=unset update -qq",
                     "apt-get DEBIAN_FRONTEND=noninteractive install -y -qq bedtools"]
    assert "installing Debian's bedtools" in r.stdout


def test_other_users_install_bedtools_through_sudo(tmp_path):
    r, calls = run_bedtools_step(tmp_path, uid=1000)
    assert r.returncode == 0, r.stdout + r.stderr
    assert calls == ["sudo apt-get update -qq", "apt-get DEBIAN_FRONTEND=unset update -qq",
                     "sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bedtools",
                     "apt-get DEBIAN_FRONTEND=noninteractive install -y -qq bedtools"]


def test_a_failed_install_stops_make_and_says_what_to_do(tmp_path):
    r, calls = run_bedtools_step(tmp_path, uid=0, apt_rc=100)
    assert r.returncode != 0
    assert calls == ["apt-get DEBIAN_FRONTEND=unset update -qq"]
    assert "ERROR: could not install bedtools" in r.stdout and "conda install -c bioconda bedtools" in r.stdout


def test_nothing_is_installed_when_bedtools_is_there(tmp_path):
    r, calls = run_bedtools_step(tmp_path, have_bedtools=True)
    assert r.returncode == 0 and r.stdout == "" and calls == []
