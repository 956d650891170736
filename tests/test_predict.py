"""`epinb predict` on X3 with the model the expression notebook saved (the session's quick paper run,
conftest.py, saves it; make figures the full ones): it must reproduce the notebook's X3 predictions exactly. Plus its failure modes."""
import json, shutil
from pathlib import Path
import numpy as np
import pandas as pd
import pytest
from epinb.config import raw_dir, data_dir

pytestmark = pytest.mark.usefixtures("quick_paper")   # every test here applies a model the quick paper saved

MARKS = ["DNase", "H3K27ac", "H3K4me1", "H3K4me3", "H3K27me3", "H3K36me3", "H3K9me3"]


def saved_outputs(name, files, notebook, profile="quick"):
    "A model folder the paper notebooks saved and their files under derived/predictions; says which notebook to run if missing."
    model = data_dir() / "derived/models" / profile / name
    paths = [data_dir() / "derived/predictions" / profile / f for f in files]
    assert (model / "model.json").exists() and all(p.exists() for p in paths), \
        f"no saved {profile} {name} model: run the {notebook} notebook first (the quick_paper fixture runs them)"
    return model, *paths


def saved(profile="quick"):
    return saved_outputs("expression_gbm", ["X3_gex_predicted.tsv"], "expression", profile)


def tracks(marks=MARKS):
    return [f"{m}={raw_dir() / f'ml4g/bed/X3/{m}_X3_chr1.bed'}" for m in marks]


def test_predict_reproduces_the_notebooks_x3_predictions(run_epinb, tmp_path):
    model, pred = saved()
    out = tmp_path / "x3.tsv"
    r = run_epinb("predict", "--model", model, "--genes", raw_dir() / "ml4g/CAGE-train/X3_test_info.tsv",
                  "--tracks", *tracks(), "--out", out)
    assert r.returncode == 0, r.stderr
    a, b = pd.read_csv(out, sep="\t"), pd.read_csv(pred, sep="\t")
    assert list(a.columns) == ["gene_name", "gex_predicted", "scale"] and len(a) == 1984
    assert set(a.scale) == {"masked_rank"}                     # the scale of the numbers is named in the output
    pd.testing.assert_frame_equal(a[["gene_name", "gex_predicted"]], b)


def test_a_genes_prediction_does_not_depend_on_its_neighbours(run_epinb, tmp_path):
    """Issue 24, defect 3: the new cell's features are scaled over the model's fixed reference genes (every ML4G gene on
    the chromosomes the tracks cover), so a 1-gene, a 20-gene and the whole X3 table give each gene the same value
    (CAPN9 was 0.000 among all X3 genes and 0.483 alone)."""
    model, pred = saved()
    allg = pd.read_csv(pred, sep="\t").set_index("gene_name").gex_predicted
    info = pd.read_csv(raw_dir() / "ml4g/CAGE-train/X3_test_info.tsv", sep="\t")
    for name, rows in (("one", info[info.gene_name == "CAPN9"]), ("twenty", info.sample(20, random_state=1))):
        rows.to_csv(tmp_path / f"{name}.tsv", sep="\t", index=False)
        r = run_epinb("predict", "--model", model, "--genes", tmp_path / f"{name}.tsv", "--tracks", *tracks(), "--out", tmp_path / f"{name}_out.tsv")
        assert r.returncode == 0, r.stderr
        got = pd.read_csv(tmp_path / f"{name}_out.tsv", sep="\t").set_index("gene_name").gex_predicted
        assert len(got) == len(rows) and (got - allg[got.index]).abs().max() < 1e-6, (name, got, allg[got.index])


def test_peak_files_as_encode_ships_them(run_epinb, tmp_path):
    """Issue 24, defect 4: peaks on chrEBV and unplaced contigs are dropped with a one-line note (same predictions); a gene
    on chrM keeps its row with no value; a BED3 file is refused naming the file, the mark and the 1-based line."""
    model, pred = saved()
    src = raw_dir() / "ml4g/bed/X3/DNase_X3_chr1.bed"
    enc = tmp_path / "DNase_encode.bed"
    enc.write_text(src.read_text() + "chrEBV\t100\t300\t.\t0\t.\t5.0\t-1\t-1\t50\nchrUn_KI270302v1\t10\t90\t.\t0\t.\t2.0\t-1\t-1\t20\n")
    info = pd.read_csv(raw_dir() / "ml4g/CAGE-train/X3_test_info.tsv", sep="\t")
    mt = pd.DataFrame([dict(gene_name="MT-ND1", chr="chrM", gene_start=3307, gene_end=4262, TSS_start=3306, TSS_end=3356, strand="+")])
    pd.concat([info, mt]).to_csv(tmp_path / "genes.tsv", sep="\t", index=False)
    spec = [t if not t.startswith("DNase=") else f"DNase={enc}" for t in tracks()]
    r = run_epinb("predict", "--model", model, "--genes", tmp_path / "genes.tsv", "--tracks", *spec, "--out", tmp_path / "o.tsv")
    assert r.returncode == 0, r.stderr
    assert "2 peaks on 2 contigs outside the assembly dropped (chrEBV, chrUn_KI270302v1)" in r.stderr and "1 genes on chrM" in r.stderr
    out = pd.read_csv(tmp_path / "o.tsv", sep="\t")
    assert len(out) == 1985 and out.gex_predicted.iloc[-1:].isna().all()
    pd.testing.assert_frame_equal(out.iloc[:-1][["gene_name", "gex_predicted"]], pd.read_csv(pred, sep="\t"))
    bed3 = tmp_path / "K4.bed"; bed3.write_text("track name=x\n" + "".join(l.split("\t", 3)[0] + "\t" + "\t".join(l.split("\t")[1:3]) + "\n" for l in src.read_text().splitlines()[:5]))
    spec = [t if not t.startswith("H3K4me3=") else f"H3K4me3={bed3}" for t in tracks()]
    r = run_epinb("predict", "--model", model, "--genes", tmp_path / "genes.tsv", "--tracks", *spec, "--out", tmp_path / "o2.tsv")
    assert r.returncode == 2 and f"{bed3}: line 2 (mark H3K4me3): expected a numeric 'signal' value" in r.stderr, r.stderr


def test_missing_mark_is_a_clear_error(run_epinb, tmp_path):
    model, _ = saved()
    r = run_epinb("predict", "--model", model, "--genes", raw_dir() / "ml4g/CAGE-train/X3_test_info.tsv",
                  "--tracks", *tracks(MARKS[:-1]), "--out", tmp_path / "o.tsv")
    assert r.returncode == 2 and "marks ['H3K9me3']" in r.stderr and "a file for every mark" in r.stderr
    assert not (tmp_path / "o.tsv").exists()


def test_chromosome_naming_that_matches_nothing(run_epinb, tmp_path):
    model, _ = saved()
    genes = pd.read_csv(raw_dir() / "ml4g/CAGE-train/X3_test_info.tsv", sep="\t").assign(chr="chrUn_A")
    genes.to_csv(tmp_path / "genes.tsv", sep="\t", index=False)
    r = run_epinb("predict", "--model", model, "--genes", tmp_path / "genes.tsv", "--tracks", *tracks(), "--out", tmp_path / "o.tsv")
    assert r.returncode == 2 and "chromosomes ['chrUn_A']" in r.stderr and "chr1" in r.stderr


def test_model_from_an_incompatible_version(run_epinb, tmp_path):
    model, _ = saved()
    bad = tmp_path / "model"; shutil.copytree(model, bad)
    meta = json.loads((bad / "model.json").read_text()); meta["packages"]["lightgbm"] = "3.3.5"
    (bad / "model.json").write_text(json.dumps(meta))
    r = run_epinb("predict", "--model", bad, "--genes", raw_dir() / "ml4g/CAGE-train/X3_test_info.tsv",
                  "--tracks", *tracks(), "--out", tmp_path / "o.tsv")
    assert r.returncode == 2 and "package lightgbm: expected major version 3" in r.stderr


def test_not_a_model_folder(run_epinb, tmp_path):
    r = run_epinb("predict", "--model", tmp_path, "--genes", raw_dir() / "ml4g/CAGE-train/X3_test_info.tsv",
                  "--tracks", *tracks(), "--out", tmp_path / "o.tsv")
    assert r.returncode == 2 and "model.json: expected a model folder saved by epinb" in r.stderr


def saved_enhancers(name, test, profile="quick"):
    return saved_outputs(name, [f"{test}.fa", f"{test}_predicted.tsv"], "enhancer", profile)


@pytest.mark.parametrize("name, test", [("enhancers_vista", "vista_test"), ("enhancers_ienhancer", "ienhancer_layer1_test")])
def test_predict_enhancers_reproduces_the_notebooks_test_predictions(run_epinb, tmp_path, name, test):
    # the notebook checked these predictions against its own test probabilities and reported numbers
    model, fasta, pred = saved_enhancers(name, test)
    out = tmp_path / "o.tsv"
    r = run_epinb("predict-enhancers", "--model", model, "--fasta", fasta, "--out", out)
    assert r.returncode == 0, r.stderr
    a, b = pd.read_csv(out, sep="\t"), pd.read_csv(pred, sep="\t")
    labels = json.loads((model / "model.json").read_text())["labels"]
    assert list(a.columns) == ["id", "p_enhancer", "enhancer"] + [c for l in labels for c in (f"p_{l}", l)]
    assert f"{len(a)} sequences scored" in r.stdout
    pd.testing.assert_frame_equal(a, b)


def test_predict_enhancers_names_a_bad_record_and_writes_nothing(run_epinb, tmp_path):
    model, _, _ = saved_enhancers("enhancers_vista", "vista_test")
    (tmp_path / "in.fa").write_text(">ok\nACGTACGT\n>bad_one\nACGTRYACGT\n")   # IUPAC, but not ACGTN
    r = run_epinb("predict-enhancers", "--model", model, "--fasta", tmp_path / "in.fa", "--out", tmp_path / "o.tsv")
    assert r.returncode == 2 and "bad_one" in r.stderr and "only A, C, G, T, N" in r.stderr
    assert not (tmp_path / "o.tsv").exists()
    r = run_epinb("predict-enhancers", "--model", model, "--fasta", tmp_path / "in.fa", "--out", tmp_path / "o.tsv", "--invalid", "n")
    assert r.returncode == 0 and len(pd.read_csv(tmp_path / "o.tsv", sep="\t")) == 2
    r = run_epinb("predict-enhancers", "--model", tmp_path, "--fasta", tmp_path / "in.fa", "--out", tmp_path / "o.tsv")
    assert r.returncode == 2 and "model.json" in r.stderr


def saved_e116(profile="quick"):
    "The E116 network notebook 25 saved, its predictions for every gene and the gene table it wrote for them."
    return saved_outputs("e116_histone_net", ["e116_gex_predicted.tsv", "e116_genes_info.tsv"], "E116", profile)


def e116_tracks(model, marks=None):
    "`MARK=GLOB` arguments for the E116 count files of every mark the model uses (or of `marks`)."
    marks = marks or json.loads((Path(model) / "model.json").read_text())["marks"]
    return [f"{m}={raw_dir() / 'e116/counts'}/chr*_{m}.count" for m in marks]


def test_predict_e116_reproduces_the_notebooks_predictions_from_count_files(run_epinb, tmp_path):
    """The E116 network through the command, on the 10-kb count files of E116 itself (one glob per mark): the notebook's
    predictions for its genes, to the printed precision; and a gene alone gets its value among all genes."""
    model, pred, genes = saved_e116()
    spec = e116_tracks(model)
    out = tmp_path / "e116.tsv"
    r = run_epinb("predict", "--model", model, "--genes", genes, "--tracks", *spec, "--out", out)
    assert r.returncode == 0, r.stderr
    a, b = pd.read_csv(out, sep="\t"), pd.read_csv(pred, sep="\t")
    assert len(a) == len(b) and (a.gene_name == b.gene_name).all()
    known = b.strand_known.to_numpy()
    assert 0 < (~known).sum() < 0.1 * len(b)          # a few genes of unknown strand: the notebook read them both ways
    assert (a.gex_predicted - b.gex_predicted)[known].abs().max() < 2e-6
    # a gene of unknown strand (written on "+"): the notebook's value is the mean of the command's on "+" and on "-"
    table = pd.read_csv(genes, sep="\t")
    flipped = table.assign(strand=np.where(known, table.strand, "-"))
    flipped.to_csv(tmp_path / "minus.tsv", sep="\t", index=False)
    r = run_epinb("predict", "--model", model, "--genes", tmp_path / "minus.tsv", "--tracks", *spec, "--out", tmp_path / "minus_out.tsv")
    assert r.returncode == 0, r.stderr
    both = (a.gex_predicted + pd.read_csv(tmp_path / "minus_out.tsv", sep="\t").gex_predicted) / 2
    assert (both - b.gex_predicted)[~known].abs().max() < 2e-6
    one = tmp_path / "one.tsv"
    i = int(np.flatnonzero(known)[6])
    lines = Path(genes).read_text().splitlines(True); one.write_text(lines[0] + lines[i + 1])
    r = run_epinb("predict", "--model", model, "--genes", one, "--tracks", *spec, "--out", tmp_path / "o1.tsv")
    assert r.returncode == 0, r.stderr
    assert abs(pd.read_csv(tmp_path / "o1.tsv", sep="\t").gex_predicted[0] - b.gex_predicted[i]) < 2e-6


def test_predict_enhancers_reads_whole_elements_on_request(run_epinb, tmp_path):
    "`--read whole-max`: a saved network reads every window of each real VISTA test element on both strands, pooled by the maximum."
    import numpy as np
    import torch
    from epinb.io import read_fasta_records
    from epinb.predict import save_enhancer_model
    from epinb.sequence_nets import make_model, predict_enhancer, predict_whole
    _, fasta, _ = saved_enhancers("enhancers_vista", "vista_test")
    torch.manual_seed(0); net = make_model("cnn", 1, 1000, channels=8).eval()   # any network: this checks the reading, not the training
    model = save_enhancer_model(tmp_path / "m", dict(cnn=[net]), dict(enhancer=(("cnn",), 0.5), active_heart=(("cnn",), 0.5)), ["active_heart"], 1000,
                                sizes=dict(cnn=dict(channels=8)))
    seqs = read_fasta_records(fasta, unique_ids=True).assign(seq=lambda d: d.seq.str.upper())
    assert (seqs.seq.str.len() > 1000).mean() > 0.5   # most test elements are longer than the network's input
    for read, expected in (("crop", predict_enhancer(net, seqs, "cnn", 1000)[0]), ("whole-max", predict_whole(net, seqs, "cnn", 1000, pool="max")[0])):
        r = run_epinb("predict-enhancers", "--model", model, "--fasta", fasta, "--out", tmp_path / f"{read}.tsv", "--read", read)
        assert r.returncode == 0, r.stderr
        np.testing.assert_allclose(pd.read_csv(tmp_path / f"{read}.tsv", sep="\t").p_enhancer, expected, atol=1e-5)
    r = run_epinb("predict-enhancers", "--model", model, "--fasta", fasta, "--out", tmp_path / "x.tsv", "--read", "whole")
    assert r.returncode == 2 and "invalid choice" in r.stderr
