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


def run_bedtools_step(tmp_path, uid: int = 0, apt_rc: int = 0, have_bedtools: bool = False, target: str = "bedtools", have=()):
    """`make <target>` (default bedtools) as user `uid` with a fake apt-get that exits `apt_rc` (and fakes of the
    commands in `have`, bedtools if `have_bedtools`); returns (CompletedProcess, recorded calls)."""
    fake, log = tmp_path / "bin", tmp_path / "calls.log"
    fake.mkdir()
    for name in (*have, *(["bedtools"] if have_bedtools else [])): _fake(fake, name, "exit 0")
    _fake(fake, "id", f'[ "$1" = -u ] && echo {uid}')
    _fake(fake, "sudo", f'echo "sudo $*" >> {log}; exec "$@"')
    _fake(fake, "apt-get", f'echo "apt-get DEBIAN_FRONTEND=${{DEBIAN_FRONTEND:-unset}} $*" >> {log}; exit {apt_rc}')
    _fake(fake, "env", f'exec /usr/bin/env "$@"')   # keep `env` reachable with only the fakes on PATH
    r = subprocess.run([MAKE, "--no-print-directory", "-s", target], cwd=ROOT, capture_output=True, text=True,
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


def test_the_browser_step_installs_chromium_and_its_driver(tmp_path):
    r, calls = run_bedtools_step(tmp_path, target="browser")
    assert r.returncode == 0, r.stdout + r.stderr
    assert calls == ["apt-get DEBIAN_FRONTEND=unset update -qq",
                     "apt-get DEBIAN_FRONTEND=noninteractive install -y -qq chromium chromium-driver"]


def test_a_failed_browser_install_warns_and_make_goes_on(tmp_path):
    "Only the browser test needs Chromium: make install carries on, saying what is missing and for what."
    r, calls = run_bedtools_step(tmp_path, target="browser", apt_rc=100)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "WARNING: could not install Debian's chromium and chromium-driver" in r.stdout and "browser test" in r.stdout


def test_the_browser_step_needs_both_programs(tmp_path):
    r, calls = run_bedtools_step(tmp_path, target="browser", have=("chromium",))   # the driver is missing
    assert r.returncode == 0 and len(calls) == 2
    (tmp_path / "both").mkdir()
    r, calls = run_bedtools_step(tmp_path / "both", target="browser", have=("chromium", "chromedriver"))
    assert r.returncode == 0 and r.stdout == "" and calls == []
