"The command line: help texts with examples, and exit codes."
import pytest


def test_top_level_help_lists_commands_and_examples(run_epinb):
    r = run_epinb("--help")
    assert r.returncode == 0
    for word in ("data", "figures", "examples:"):
        assert word in r.stdout


@pytest.mark.parametrize("args", [("data", "fetch"), ("data", "verify"), ("figures",), ("predict",), ("predict-enhancers",)])
def test_each_subcommand_has_help_with_an_example(run_epinb, args):
    r = run_epinb(*args, "--help")
    assert r.returncode == 0 and "example" in r.stdout


def test_unknown_dataset_is_a_clear_error(run_epinb):
    r = run_epinb("data", "verify", "--dataset", "nope", "--quiet")
    assert r.returncode == 2 and "expected one of ['bigwig', 'e116', 'hg38', 'ienhancer', 'ml4g', 'roadmap', 'vista']" in r.stderr
