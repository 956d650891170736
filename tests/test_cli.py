"The command line: help texts with examples, and exit codes."
import pytest
from epinb.paper import paper_notebooks


def test_top_level_help_lists_commands_and_examples(run_epinb):
    r = run_epinb("--help")
    assert r.returncode == 0
    for word in ("data", "figures", "examples:"):
        assert word in r.stdout


@pytest.mark.parametrize("args", [("data", "fetch"), ("data", "verify"), ("figures",), ("predict",), ("predict-enhancers",), ("pretrain",)])
def test_each_subcommand_has_help_with_an_example(run_epinb, args):
    r = run_epinb(*args, "--help")
    assert r.returncode == 0 and "example" in r.stdout


def test_unknown_dataset_is_a_clear_error(run_epinb):
    r = run_epinb("data", "verify", "--dataset", "nope", "--quiet")
    assert r.returncode == 2 and "expected one of ['bigwig', 'e116', 'hg38', 'ienhancer', 'ml4g', 'roadmap', 'vista']" in r.stderr


def test_version(run_epinb):
    from epinb import __version__
    r = run_epinb("--version")
    assert r.returncode == 0 and r.stdout.strip() == f"epinb {__version__}"


def test_data_verify_options_have_help(run_epinb):
    r = run_epinb("data", "verify", "--help")
    assert "only this dataset" in r.stdout and "no progress bar" in r.stdout


# issue 24, defects found by a new user: each failed before the fix
def e116_args(tmp_path, *tracks):
    from test_predict import saved_e116
    model, _, genes = saved_e116()
    return ["predict", "--model", model, "--genes", genes, "--tracks", *tracks]


def e116_tracks():
    from test_predict import saved_e116, e116_tracks as tracks
    return tracks(saved_e116()[0])


@pytest.mark.usefixtures("quick_paper")   # the models the quick paper saves
def test_a_mark_given_twice_is_an_error(run_epinb, tmp_path):
    t = e116_tracks(); dup = t + [t[0].replace("chr*_", "chr1_")]
    r = run_epinb(*e116_args(tmp_path, *dup), "--out", tmp_path / "o.tsv")
    assert r.returncode == 2 and "mark 'H3K27me3': expected each mark once" in r.stderr and not (tmp_path / "o.tsv").exists()


@pytest.mark.usefixtures("quick_paper")   # the models the quick paper saves
def test_tracks_given_twice_is_an_error(run_epinb, tmp_path):
    t = e116_tracks()
    r = run_epinb(*e116_args(tmp_path, *t[:2]), "--tracks", *t[2:], "--out", tmp_path / "o.tsv")
    assert r.returncode == 2 and "--tracks: given 2 times" in r.stderr


@pytest.mark.usefixtures("quick_paper")   # the models the quick paper saves
def test_an_unknown_mark_is_named_in_a_warning(run_epinb, tmp_path):
    from epinb.config import raw_dir
    r = run_epinb(*e116_args(tmp_path, *e116_tracks(), f"H3K27ac={raw_dir() / 'bigwig/H3K27acPeaks_chr21.narrowPeak'}"), "--out", tmp_path / "o.tsv")
    assert r.returncode == 0, r.stderr
    assert "epinb: warning: --tracks: marks ['H3K27ac'] are not used by this model" in r.stderr and "warnings.warn" not in r.stderr


@pytest.mark.usefixtures("quick_paper")   # the models the quick paper saves
def test_out_pointing_at_a_folder_is_an_error_not_a_traceback(run_epinb, tmp_path):
    r = run_epinb(*e116_args(tmp_path, *e116_tracks()), "--out", tmp_path)
    assert r.returncode == 2 and "--out" in r.stderr and "a file to write (this is a folder)" in r.stderr and "Traceback" not in r.stderr


def test_a_missing_model_folder_says_what_makes_it(run_epinb, tmp_path):
    r = run_epinb("predict-enhancers", "--model", tmp_path / "nothing", "--fasta", tmp_path / "x.fa", "--out", tmp_path / "o.tsv")
    assert r.returncode == 2 and "make figures" in r.stderr


@pytest.mark.usefixtures("quick_paper")   # the models the quick paper saves
def test_sequence_length_warning_is_one_readable_line(run_epinb, tmp_path):
    from test_predict import saved_enhancers
    model, _, _ = saved_enhancers("enhancers_ienhancer", "ienhancer_layer1_test")
    (tmp_path / "s.fa").write_text(">short\nACGTA\n")
    r = run_epinb("predict-enhancers", "--model", model, "--fasta", tmp_path / "s.fa", "--out", tmp_path / "o.tsv")
    assert r.returncode == 0, r.stderr
    assert "epinb: warning: 1 of 1 sequences are outside the training lengths" in r.stderr and "UserWarning" not in r.stderr


@pytest.mark.usefixtures("quick_paper")   # the models the quick paper saves
def test_invalid_character_error_names_the_command_line_flag(run_epinb, tmp_path):
    from test_predict import saved_enhancers
    model, _, _ = saved_enhancers("enhancers_ienhancer", "ienhancer_layer1_test")
    (tmp_path / "s.fa").write_text(">r\nACGTRYACGT\n")
    r = run_epinb("predict-enhancers", "--model", model, "--fasta", tmp_path / "s.fa", "--out", tmp_path / "o.tsv")
    assert r.returncode == 2 and "--invalid n on the command line" in r.stderr


def test_quick_figures_never_write_the_papers_outputs(quick_paper):
    "`epinb figures --profile quick` with no folder given (the session's run) writes build/quick/, never figures/ (the README's promise)."
    import json
    assert quick_paper["paper_figures_after"] == quick_paper["paper_figures_before"]
    assert json.loads((quick_paper["figures"] / "metrics.json").read_text())["run"]["profile"] == "quick"
    assert sorted(p.name for p in quick_paper["build"].glob("2*.ipynb")) == [p.name for p in paper_notebooks()]   # its executed notebooks
    assert (quick_paper["build"] / "html" / "index.html").exists()
    assert "the paper as web pages: " in quick_paper["stdout"]


@pytest.mark.usefixtures("quick_paper")   # the models the quick paper saves
def test_a_run_of_n_is_not_called_an_enhancer(run_epinb, tmp_path):
    "An all-N 500-bp sequence scored P(enhancer) = 1.000 with the saved VISTA model (N scored as a motif site); now: NaN, no call."
    import pandas as pd
    from test_predict import saved_enhancers
    model, _, _ = saved_enhancers("enhancers_vista", "vista_test")
    (tmp_path / "n.fa").write_text(">runs_of_n\n" + "N" * 500 + "\n>real\n" + "ACGTTGCA" * 120 + "\n")
    r = run_epinb("predict-enhancers", "--model", model, "--fasta", tmp_path / "n.fa", "--out", tmp_path / "o.tsv")
    assert r.returncode == 0, r.stderr
    o = pd.read_csv(tmp_path / "o.tsv", sep="\t")
    assert o.p_enhancer.isna().tolist() == [True, False] and o.enhancer.isna().tolist() == [True, False]
    assert "epinb: warning: 1 of 2 sequences are mostly N" in r.stderr


def test_pretrain_reads_back_the_encoders_notebook_24_used(run_epinb, quick_paper):
    """`epinb pretrain` (`make pretrain`, which `make figures` runs first) and notebook 24 build the same two encoders
    (`paper_encoders`: same corpora, settings and code, so the same cache key): after the quick paper the command only
    reads them back, and their validation losses are the ones the notebook reported."""
    import json, re
    from pathlib import Path
    import pandas as pd
    r = run_epinb("pretrain", "--profile", "quick", "--quiet", env={"EPINB_THREADS": "1"})
    assert r.returncode == 0, r.stderr
    found = dict(re.findall(r"^(ienhancer|vista): read back (\S+) ", r.stdout, re.M))
    assert sorted(found) == ["ienhancer", "vista"], r.stdout
    table = pd.read_csv(quick_paper["figures"] / "tables/enhancers_pretraining.csv").set_index("encoder")
    for task, path in found.items():
        spec = json.loads((Path(path) / "spec.json").read_text())
        assert spec["name"] == f"{task}_quick" and (Path(path) / "weights.pt").exists()
        assert spec["summary"]["val_loss"] == pytest.approx(table.loc[task, "val_loss"], rel=1e-9)
        assert spec["windows"] == table.loc[task, "kept"]
