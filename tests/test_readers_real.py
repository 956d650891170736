"Every reader on every real file of its dataset (data/raw, fetched and verified by `make data`)."
import numpy as np
import pandas as pd
import pytest
from epinb.config import raw_dir
from epinb.io import (read_peaks, load_ml4g, read_gencode_bed, read_deepchrome_csv, read_roadmap_expression,
                      read_ienhancer, read_vista, read_labelled_sequences, FastaGenome)
from epinb.tracks import ml4g_peak_files, ML4G_MARKS

R = raw_dir()


def test_every_ml4g_peak_file():
    files = sorted((R / "ml4g/bed").glob("*/*.bed"))
    assert len(files) == 147 * 2 + 7
    for f in files:
        p = read_peaks(f)
        assert len(p) > 0 and p.signal.notna().all() and (p.start < p.end).all()


@pytest.mark.parametrize("cell,split,n", [("X1", "train", 14310), ("X1", "val", 1974), ("X2", "train", 14310),
                                          ("X2", "val", 1974), ("X3", "test", 1984)])
def test_ml4g_gene_tables(cell, split, n):
    g = load_ml4g(cell, split)
    assert len(g) == n and g.gene_id.is_unique
    if split != "test": assert (g.gex >= 0).all()
    for m in ML4G_MARKS: assert ml4g_peak_files(cell, m)


def test_gencode_files():
    for f in sorted((R / "hg38/gencode24").glob("*.bed.gz")):
        g = read_gencode_bed(f)
        assert len(g) > 1000 and set(g.strand) == {"+", "-"}


@pytest.mark.parametrize("cell", ["E123", "E003"])
def test_roadmap(cell):
    expr = read_roadmap_expression(R / f"roadmap/{cell}.expr.csv")
    assert len(expr) == 19795
    ids = []
    for split in ("train", "valid", "test"):
        d = read_deepchrome_csv(R / f"roadmap/{cell}.{split}.csv")
        assert d["x"].shape == (200, 5, 200)
        ids += [g.split("_")[0] for g in d["gene_ids"]]
    assert len(set(ids)) == 600 and expr.reindex(ids).notna().all()


def test_roadmap_toy():
    for split in ("train", "valid", "test"):
        d = read_deepchrome_csv(R / f"roadmap/toy/{split}.csv")
        assert d["x"].shape[1:] == (5, 100) and d["labels"] is not None


def test_ienhancer():
    d = read_ienhancer()
    assert len(d) == 1484 * 2 + 400 + 742 * 2 + 200
    assert (d.seq.str.len() == 200).all()


def test_vista():
    v = read_vista()
    assert len(v) == 2120 and v.enhancer.sum() == 1126 and set(v.species) == {"human", "mouse"}
    assert v.loc[v.enhancer == 0, [c for c in v if c.startswith("active_")]].values.sum() == 0
    assert v.active_forebrain.sum() >= 350


def test_labelled_sequences_round_trip(tmp_path):
    "VISTA written as a user's FASTA + label table (records shuffled against the table, one unknown label) reads back."
    v = read_vista()
    labels = ["enhancer", "active_heart", "active_limb"]
    (tmp_path / "el.fa").write_text("".join(f">{i} from VISTA\n{s}\n" for i, s in zip(v.id, v.seq)))
    tab = v[["id"] + labels].sample(frac=1.0, random_state=0).astype({"active_limb": float})
    tab.loc[tab.index[0], "active_limb"] = np.nan
    tab.to_csv(tmp_path / "el.tsv", sep="\t", index=False)
    d = read_labelled_sequences(tmp_path / "el.fa", tmp_path / "el.tsv")
    assert d.id.tolist() == v.id.tolist() and d.seq.tolist() == v.seq.tolist()
    expected = v[labels].astype(float).reset_index(drop=True)
    expected.loc[v.index.get_loc(tab.index[0]), "active_limb"] = np.nan   # the unknown label stays unknown, on its record
    pd.testing.assert_frame_equal(d[labels], expected)


def test_hg38_slice():
    g = FastaGenome(R / "hg38/chr2_1-2333275.fa.gz")
    assert g.chrom_sizes == {"chr2": 2333275}
    s = g.sequence("chr2", 1_000_000, 1_000_100)
    assert len(s) == 100 and set(s.upper()) <= set("ACGTN")
