"""Interrupted runs leave nothing behind (issue 24, section 2): a real `epinb figures --profile quick` stopped by SIGINT
(Ctrl-C) or SIGTERM at several points leaves its figures folder as it was and no staging folder, executed kernel or
temporary file; a run that finds the leftovers of a run killed outright (SIGKILL) removes them and says so."""
import os, signal, subprocess, sys, time
from pathlib import Path
import pytest
from epinb.config import _TMP_NAME, _alive

ROOT = Path(__file__).resolve().parents[1]
EPINB = Path(sys.executable).parent / "epinb"
NBS = [ROOT / "nbs/20_data_overview.ipynb", ROOT / "nbs/21_metaprofiles.ipynb"]


def start(tmp_path, *extra):
    figs = tmp_path / "figures"
    if not figs.exists(): figs.mkdir(); (figs / "metrics.json").write_text('{"old": {"x": 1}}\n'); (figs / "old.png").write_bytes(b"png")
    env = {**os.environ, "EPINB_THREADS": "1"}
    # a shell without job control starts background commands with SIGINT ignored, and children inherit that (CI may run
    # us so); a user's terminal does not: give the run SIGINT's default disposition, as a terminal would
    return subprocess.Popen([str(EPINB), "figures", "--profile", "quick", "--only", *map(str, NBS), "--figures", str(figs),
                             "--build", str(tmp_path / "build"), "--no-html", *extra], cwd=ROOT, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))


def leftovers(*folders):
    "Temporary names (`.<name>.epinb-<pid>-...`) under `folders` whose writing process is gone."
    out = []
    for f in folders:
        for p in Path(f).rglob(".*.epinb-*"):
            m = _TMP_NAME.match(p.name)
            if m and not _alive(int(m["pid"])): out.append(p)
    return out


def kernels_of(pid) -> list:
    "ipykernel processes whose parent is `pid` (papermill starts one per notebook)."
    r = subprocess.run(["ps", "-eo", "pid,ppid,args"], capture_output=True, text=True).stdout.splitlines()[1:]
    return [l for l in r if l.split()[1] == str(pid) and "ipykernel" in l]


@pytest.mark.parametrize("sig,delay", [(signal.SIGINT, 2.0), (signal.SIGTERM, 2.0), (signal.SIGINT, 9.0), (signal.SIGTERM, 9.0),
                                       (signal.SIGTERM, 20.0)], ids=lambda v: getattr(v, "name", f"{v}s"))
def test_signal_leaves_the_tree_as_it_was(tmp_path, sig, delay):
    p = start(tmp_path)
    time.sleep(delay)
    assert p.poll() is None, "the run ended before the signal: nothing was tested"
    kids = kernels_of(p.pid)
    p.send_signal(sig)
    out, err = p.communicate(timeout=90)
    assert p.returncode in ({130, -2} if sig == signal.SIGINT else {143, -15}), (p.returncode, err[-2000:])
    assert "21_metaprofiles.ipynb done" not in out                              # it was stopped, not finished
    figs = tmp_path / "figures"
    assert sorted(x.name for x in figs.iterdir()) == ["metrics.json", "old.png"]
    assert (figs / "metrics.json").read_text() == '{"old": {"x": 1}}\n'
    assert not [x.name for x in tmp_path.iterdir() if x.name.startswith(".")]   # no staging folder beside it
    assert not leftovers(tmp_path, ROOT / "data/derived")
    time.sleep(1)
    deadline = time.time() + 10   # the kernel is told to stop before the run exits; its process may take a moment to end
    while [k for k in kids if _alive(int(k.split()[0]))] and time.time() < deadline: time.sleep(0.2)
    assert not [k for k in kids if _alive(int(k.split()[0]))], kids              # the kernel went with it


def test_a_run_removes_the_leftovers_of_a_killed_one(tmp_path):
    dead = 2 ** 22 + 4242
    while _alive(dead): dead += 1
    figs = tmp_path / "figures"; figs.mkdir(); (figs / "metrics.json").write_text("{}\n")
    staging = tmp_path / f".figures.epinb-{dead}-abc.part"; staging.mkdir(); (staging / "half.png").write_bytes(b"x")
    (tmp_path / "build").mkdir(); part = tmp_path / "build" / f".20_data_overview.ipynb.epinb-{dead}-q.part"; part.write_text("x")
    r = subprocess.run([str(EPINB), "figures", "--profile", "quick", "--only", str(NBS[0]), "--figures", str(figs),
                        "--build", str(tmp_path / "build"), "--no-html"], cwd=ROOT, env={**os.environ, "EPINB_THREADS": "1"},
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "2 leftovers of an interrupted run" in r.stdout, r.stdout
    assert not staging.exists() and not part.exists()
    assert (figs / "metrics.json").exists() and "data_overview" in (figs / "metrics.json").read_text()
