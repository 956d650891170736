"""`make figures` machinery: a failing notebook stops the run with a clear message and leaves figures/ untouched;
the quick profile is deterministic: a sequential run (the session's `quick_paper`, conftest.py) and one on two Dask
workers give identical metrics.json, timings excluded (tests/test_compute.py)."""
import json, os, re, shutil
from pathlib import Path
import nbformat
import pytest
from epinb.paper import paper_notebooks

ROOT = Path(__file__).resolve().parents[1]


def test_failing_notebook_stops_the_run_and_leaves_figures_unchanged(run_epinb, tmp_path):
    nbs = tmp_path / "nbs"; nbs.mkdir()
    good = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("profile = 'full'", metadata={"tags": ["parameters"]}),
                                           nbformat.v4.new_code_cell("import os\nfrom epinb.config import merge_metrics\n"
                                                                     "merge_metrics('toy', {'v': 1}, os.path.join(os.environ['EPINB_FIGURES'], 'metrics.json'))")],
                                    metadata={"kernelspec": {"name": "python3", "display_name": "python3", "language": "python"}})
    nbformat.write(good, nbs / "20_toy.ipynb")   # a notebook that succeeds and writes a result, before the one that fails
    bad = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("profile = 'full'", metadata={"tags": ["parameters"]}),
                                          nbformat.v4.new_code_cell("import epinb\nraise RuntimeError('deliberate failure')")],
                                   metadata={"kernelspec": {"name": "python3", "display_name": "python3", "language": "python"}})
    nbformat.write(bad, nbs / "21_broken.ipynb")
    figs = tmp_path / "figures"; figs.mkdir(); (figs / "metrics.json").write_text('{"old": {"x": 1}}\n')
    r = run_epinb("figures", "--profile", "quick", "--only", nbs / "20_toy.ipynb", nbs / "21_broken.ipynb",
                  "--figures", figs, "--build", tmp_path / "build", env={"EPINB_ROOT": str(ROOT)})
    assert r.returncode == 1
    assert re.search(r"21_broken.ipynb: cell \d+: RuntimeError: deliberate failure", r.stderr), r.stderr[-2000:]
    assert (figs / "metrics.json").read_text() == '{"old": {"x": 1}}\n'          # nothing half-replaced
    assert sorted(p.name for p in figs.iterdir()) == ["metrics.json"]
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]       # no staging folder left beside it
    assert (tmp_path / "build/20_toy.ipynb").exists()                            # the good one ran, its result was not swapped in


def strip_timings(m):
    if isinstance(m, dict):
        return {k: strip_timings(v) for k, v in m.items() if "seconds" not in k and k not in ("run",)}
    return m


@pytest.mark.parametrize("nb", paper_notebooks(ROOT / "nbs"), ids=lambda p: p.name)
def test_papermill_can_set_every_parameter(nb):
    "`papermill -p NAME VALUE` works for every name the parameters cell assigns: one plain `name = value` per line."
    import ast
    import papermill as pm
    cell = next(c for c in nbformat.read(nb, as_version=4).cells if "parameters" in c.metadata.get("tags", []))
    assigns = [s for s in ast.parse(cell.source).body if isinstance(s, ast.Assign)]
    assert all(len(s.targets) == 1 and isinstance(s.targets[0], ast.Name) for s in assigns), "use one `name = value` per line"
    assert set(pm.inspect_notebook(str(nb))) == {s.targets[0].id for s in assigns}


def test_reproduce_command_runs_a_notebook_twice_and_records_it(run_epinb, tmp_path):
    "`epinb reproduce` (behind `make reproducible`) on a deterministic notebook: identical, recorded with the machine."
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("profile = 'full'", metadata={"tags": ["parameters"]}),
                                         nbformat.v4.new_code_cell("import os\nfrom epinb.config import merge_metrics\n"
                                                                   "merge_metrics('toy', {'v': 0.25, 'seconds': 1.0}, os.path.join(os.environ['EPINB_FIGURES'], 'metrics.json'))")],
                                  metadata={"kernelspec": {"name": "python3", "display_name": "python3", "language": "python"}})
    nbformat.write(nb, tmp_path / "20_toy.ipynb")
    r = run_epinb("reproduce", tmp_path / "20_toy.ipynb", "--profile", "quick", "--record", tmp_path / "rep.json")
    assert r.returncode == 0 and "1 numbers compared over 2 quick runs: identical" in r.stdout, r.stdout + r.stderr[-1500:]
    rec = json.loads((tmp_path / "rep.json").read_text())["20_toy"]
    assert rec["identical"] and rec["machine"]["threads"] >= 1 and rec["machine"]["cpu"]
