"""Bad input always gets an InputError naming the file, the record and what was expected; never a raw
KeyError/IndexError, never silent zero-fill or dropping."""
import gzip
from pathlib import Path
import numpy as np
import pandas as pd
import pytest
from epinb.errors import InputError
from epinb.io import (read_peaks, read_gene_table, read_expression, load_ml4g, read_fasta_records, read_vista,
                      read_deepchrome_csv, read_roadmap_expression, read_gencode_bed, FastaGenome, read_binned_counts, read_gtf_genes,
                      read_gcmerge_table)
from epinb.tracks import PeakTrack, BigWigTrack, open_track, peaks_to_bigwig

INFO_HEAD = "gene_name\tchr\tgene_start\tgene_end\tTSS_start\tTSS_end\tstrand\n"


def write(tmp_path, name, text):
    p = tmp_path / name; p.write_text(text); return p


def check(exc, *fragments):
    msg = str(exc.value)
    for f in fragments: assert f in msg, f"{f!r} not in {msg!r}"


# Reader, file name, file content, and what the message must contain.
FILE_CASES = {
    "peak_start_after_end": (read_peaks, "a.bed", "chr1\t10\t20\nchr1\t50\t20\n",
        ("a.bed", "line 2", "expected start < end", "start=50, end=20")),
    "peak_negative_coordinate": (read_peaks, "neg.bed", "chr1\t-5\t20\n",
        ("neg.bed", "line 1", "expected start >= 0")),
    "peak_non_numeric_signal": (read_peaks, "np.narrowPeak", "track x\nchr1\t5\t20\tp\t0\t.\thigh\t1\t1\t3\n",
        ("np.narrowPeak", "line 2", "expected signal as a number", "'high'")),
    "empty_file": (read_peaks, "empty.bed", "",
        ("empty.bed", "expected at least one record", "empty file")),
    "missing_columns_in_peaks": (read_peaks, "two.bed", "chr1\t5\n",
        ("two.bed", "expected at least 3 columns")),
    "ragged_rows": (read_peaks, "ragged.bed", "chr1\t5\t10\nchr1\t5\t10\tx\n",
        ("ragged.bed", "line 2", "expected 3 columns like the first record")),
    "missing_columns_in_gene_table": (read_gene_table, "info.tsv", "gene_name\tchr\tgene_start\n A\tchr1\t5\n",
        ("info.tsv", "header", "expected columns")),
    "duplicate_gene_ids": (read_gene_table, "dup_info.tsv", INFO_HEAD + "A\tchr2\t101\t200\t100\t150\t+\nA\tchr2\t301\t400\t300\t350\t+\n",
        ("dup_info.tsv", "line 3", "expected unique gene ids", "'A'")),
    "strand_not_plus_or_minus": (read_gene_table, "s_info.tsv", INFO_HEAD + "A\tchr2\t101\t200\t100\t150\t.\n",
        ("s_info.tsv", "line 2 (A)", "expected strand in {+, -}", "'.'")),
    "gene_start_after_end": (read_gene_table, "se_info.tsv", INFO_HEAD + "A\tchr2\t300\t200\t250\t260\t+\n",
        ("se_info.tsv", "line 2 (A)", "expected gene start < end")),
    "fasta_without_records": (read_fasta_records, "none.fa", "\n\n",
        ("none.fa", "expected at least one FASTA record")),
    "fasta_with_non_iupac_characters": (read_fasta_records, "bad.fa", ">ok\nACGT\n>weird one\nACGU*\n",
        ("bad.fa", "record 'weird one' (line 3)", "expected IUPAC nucleotide characters", "['*', 'U']")),
    "vista_header_that_does_not_parse": (read_vista, "vista.fa", ">Human|chr1:10-20 | element 7 | maybe\nACGT\n",
        ("vista.fa", "header 'Human|chr1:10-20 | element 7 | maybe'", "expected 'Species|chrN:start-end")),
    "vista_tissue_annotation_that_does_not_parse": (read_vista, "vista2.fa", ">Human|chr1:10-20 | element 7 | positive  | limb(3 of 5)\nACGT\n",
        ("vista2.fa", "expected tissue annotations like 'limb[3/12]'", "'limb(3 of 5)'")),
    "deepchrome_bins_out_of_order": (read_deepchrome_csv, "dc.csv", "G1_S_1,1,0,0,0,0\nG1_S_3,1,0,0,0,0\nG2_T_1,1,0,0,0,0\nG2_T_2,1,0,0,0,0\n",
        ("dc.csv", "expected each gene's bins 1..2 in consecutive rows")),
    "roadmap_expression_non_numeric": (read_roadmap_expression, "e.expr.csv", "ENSG1,5\nENSG2,lots\n",
        ("e.expr.csv", "line 2", "expected expression count as a number", "'lots'")),
    "count_file_with_a_gap": (read_binned_counts, "chr1_K4.count", "chr1\t0\t10000\t3\nchr1\t10000\t20000\t0\nchr1\t30000\t40000\t1\n",
        ("chr1_K4.count", "line 3 (chr1:30000-40000)", "expected contiguous bins", "a gap")),
    "count_file_with_a_negative_count": (read_binned_counts, "neg.count", "chr1\t0\t10000\t3\nchr1\t10000\t20000\t-1\n",
        ("neg.count", "line 2", "expected a finite count >= 0")),
    "count_file_with_a_changed_width": (read_binned_counts, "w.count", "chr1\t0\t10000\t3\nchr1\t10000\t15000\t1\nchr1\t15000\t20000\t1\n",
        ("w.count", "line 2", "expected bins of one width (10000 bp")),
    "count_file_with_words": (read_binned_counts, "words.count", "chr1\t0\t10000\tmany\n",
        ("words.count", "line 1", "expected count as a number", "'many'")),
    "gtf_without_gene_id": (read_gtf_genes, "g.gtf", 'chr1\tX\tgene\t1\t100\t.\t+\t.\tgene_name "A";\n',
        ("g.gtf", "line 1", 'expected a gene_id "..." attribute')),
}


@pytest.mark.parametrize("case", FILE_CASES)
def test_bad_file(tmp_path, case):
    reader, name, text, fragments = FILE_CASES[case]
    p = write(tmp_path, name, text)
    with pytest.raises(InputError) as e: reader(p)
    check(e, *fragments)


def test_empty_gzip_file(tmp_path):
    p = tmp_path / "empty.bed.gz"
    with gzip.open(p, "wt") as f: f.write("# only a comment\n")
    with pytest.raises(InputError) as e: read_peaks(p)
    check(e, "empty.bed.gz", "empty file")


def test_tss_outside_gene(tmp_path):
    p = write(tmp_path, "tss_info.tsv", INFO_HEAD + "A\tchr2\t101\t200\t900\t950\t+\n")
    with pytest.raises(InputError) as e: read_gene_table(p)
    check(e, "tss_info.tsv", "line 2 (A)", "expected the TSS inside its gene", "tss=900 outside [100, 200)")
    # the same row is accepted, and flagged, when alternative promoters are allowed
    g = read_gene_table(p, tss_outside_gene="keep")
    assert not g.tss_in_gene.iloc[0]


@pytest.mark.parametrize("value,shown", [("nan", "'nan'"), ("-1.5", "'-1.5'"), ("", "''")])
def test_nan_or_negative_expression(tmp_path, value, shown):
    p = write(tmp_path, "y.tsv", f"gene_name\tgex\nA\t1.0\nB\t{value}\n")
    with pytest.raises(InputError) as e: read_expression(p)
    check(e, "y.tsv", "line 3 (B)", "expected a non-negative number for gex", shown)


def test_gene_sets_differ_between_info_and_expression(tmp_path):
    d = tmp_path / "ml4g/CAGE-train"; d.mkdir(parents=True)
    (d / "X1_train_info.tsv").write_text(INFO_HEAD + "A\tchr2\t101\t200\t100\t150\t+\nB\tchr2\t301\t400\t300\t350\t+\n")
    (d / "X1_train_y.tsv").write_text("gene_name\tgex\nA\t1.0\nC\t2.0\n")
    with pytest.raises(InputError) as e: load_ml4g("X1", "train", root=tmp_path)
    check(e, "X1_train_y.tsv", "gene set", "1 only in info (e.g. ['B'])", "1 only in expression (e.g. ['C'])")


GENES = pd.DataFrame(dict(gene_id=["a", "b"], chrom=["chr1", "chr2"], start=[100, 100], end=[900, 900],
                          tss=[150, 850], strand=["+", "-"]))
PEAKS = pd.DataFrame(dict(chrom=["chr1", "chr2"], start=[100, 800], end=[200, 900], signal=[3.0, 2.0]))


def test_track_chromosomes_that_match_nothing_name_both_sets():
    trk = PeakTrack(PEAKS, "toy", chrom_sizes={"chr1": 1000, "chr2": 1000})
    genes = GENES.assign(chrom=["1", "2"])   # un-normalised names from a hand-made table
    with pytest.raises(InputError) as e: trk.bin_matrix(genes, 100, 100, 10)
    check(e, "toy peaks table", "chromosomes ['1', '2']", "track: ['chr1', 'chr2']", "genes on ['1', '2']")


def test_bigwig_chromosomes_that_match_nothing(tmp_path):
    bw = BigWigTrack(peaks_to_bigwig(PEAKS, {"chr1": 1000, "chr2": 1000}, tmp_path / "t.bw"))
    with pytest.raises(InputError) as e: bw.window_stats(GENES.assign(chrom=["chrX", "chr2"]), {"tss": (10, 10)})
    check(e, "t.bw", "chromosomes ['chrX']", "track: ['chr1', 'chr2']")


def test_truncated_bigwig(tmp_path):
    good = peaks_to_bigwig(PEAKS, {"chr1": 1000, "chr2": 1000}, tmp_path / "good.bw")
    bad = tmp_path / "trunc.bw"; bad.write_bytes(good.read_bytes()[:200])
    with pytest.raises(InputError) as e: open_track(bad)
    check(e, "trunc.bw", "expected a valid bigWig file")


def test_not_a_bigwig(tmp_path):
    bad = write(tmp_path, "text.bw", "chr1\t1\t2\t3\n")
    with pytest.raises(InputError) as e: open_track(bad)
    check(e, "text.bw", "expected a valid bigWig file")


def test_peaks_past_the_chromosome_end(tmp_path):
    with pytest.raises(InputError) as e: PeakTrack(PEAKS, "toy", chrom_sizes={"chr1": 1000, "chr2": 850})
    check(e, "toy peaks table: row 1 (mark toy)", "expected peaks inside the chromosome (chr2 is 850 bp")


def test_window_past_the_chromosome_end_pads_instead_of_failing(tmp_path):
    sizes = {"chr1": 1000, "chr2": 1000}
    genes = GENES.assign(tss=[980, 20])          # + gene near the end of chr1, - gene near the start of chr2
    pk = PeakTrack(PEAKS.assign(start=[950, 0], end=[1000, 60]), "toy", chrom_sizes=sizes)
    bw = BigWigTrack(peaks_to_bigwig(pk.peaks, sizes, tmp_path / "edge.bw"))
    for trk in (pk, bw):
        m = trk.bin_matrix(genes, 100, 100, 50)
        assert m.shape == (2, 4) and np.isfinite(m).all()
        # chr1 +: bins [880,930) [930,980) [980,1030) [1030,1080); peak 950-1000 -> 0, (30/50)*3, (20/50)*3, 0 (past the end)
        np.testing.assert_allclose(m[0], [0, 1.8, 1.2, 0], rtol=1e-6)


def test_fasta_window_past_the_end_is_n_padded(tmp_path):
    p = write(tmp_path, "g.fa", ">chr9\nACGTACGT\n")
    g = FastaGenome(p)
    assert g.sequence("chr9", 6, 12) == "GTNNNN" and g.sequence("9", -2, 2, "-") == "GTNN"
    with pytest.raises(InputError) as e: g.sequence("chr3", 0, 2)
    check(e, "g.fa", "chromosome 'chr3'", "expected one of ['chr9']")


def test_gencode_bed_with_bad_strand(tmp_path):
    p = tmp_path / "genes.bed.gz"
    with gzip.open(p, "wt") as f: f.write("chr1\t11869\t14409\tENSG1 \t.\t*\tDDX11L1 \tpseudogene \n")
    with pytest.raises(InputError) as e: read_gencode_bed(p)
    check(e, "genes.bed.gz", "line 1 (ENSG1)", "expected strand in {+, -}")


def test_inputs_are_never_modified(tmp_path):
    p = write(tmp_path, "keep.bed", "chr1\t10\t20\tp\t0\t.\t1.5\t1\t1\t3\n")
    before = p.read_bytes(); mtime = p.stat().st_mtime_ns
    read_peaks(p); PeakTrack(p)
    assert p.read_bytes() == before and p.stat().st_mtime_ns == mtime


def test_gcmerge_node_id_outside_the_count_files(tmp_path):
    p = write(tmp_path, "gc.csv", "Dataset,Node ID,ENSEMBL_ID,Abbreviation,True Label,Predicted Label\nTesting,99,ENSG9,X,1.0,1.0\n")
    with pytest.raises(InputError) as e: read_gcmerge_table(p, {"chr1": (0, 10, 10_000)})
    check(e, "gc.csv", "line 2 (ENSG9)", "expected a node id in [0, 10)", "got 99")


@pytest.mark.usefixtures("quick_paper")   # the models the quick paper saves
def test_broken_count_file_through_epinb_predict(run_epinb, tmp_path):
    "A count file with a gap stops `epinb predict` with exit 2, naming the file and the line; nothing is written."
    import json
    from test_predict import saved_e116, e116_tracks
    from epinb.config import raw_dir
    model, _, genes = saved_e116()
    marks = json.loads((model / "model.json").read_text())["marks"]
    bad = tmp_path / "chr1_bad.count"
    lines = (raw_dir() / f"e116/counts/chr1_{marks[0]}.count").read_text().splitlines(True)
    bad.write_text("".join(lines[:100] + lines[101:]))
    spec = [f"{marks[0]}={bad}"] + e116_tracks(model, marks[1:])
    r = run_epinb("predict", "--model", model, "--genes", genes, "--tracks", *spec, "--out", tmp_path / "o.tsv")
    assert r.returncode == 2 and "chr1_bad.count: line 101 (chr1:1010000-1020000): expected contiguous bins" in r.stderr, r.stderr
    assert not (tmp_path / "o.tsv").exists()
