"""The context features of notebook 22 on real ML4G data (X1, chr21) against a plain loop over genes and peaks: the
vectorised window expansion in `epinb.features` must give exactly what the definitions in its docstrings say."""
import numpy as np
import pandas as pd
import pytest
from epinb.io import load_ml4g, ml4g_gene_annotation
from epinb.tracks import ml4g_tracks
from epinb.features import distal_features, neighbourhood_features, promoter_shape_features, _peak_position


@pytest.fixture(scope="module")
def chr21():
    genes = load_ml4g("X1")
    genes = genes[genes.chrom == "chr21"].reset_index(drop=True)
    peaks = {m: t.peaks[t.peaks.chrom == "chr21"].reset_index(drop=True) for m, t in ml4g_tracks("X1").items()}
    ann = ml4g_gene_annotation()
    return genes, peaks, ann[ann.chrom == "chr21"].reset_index(drop=True)


def test_distal_rings_and_abc_match_a_loop(chr21):
    genes, peaks, _ = chr21
    D = distal_features(genes, peaks)
    pk = peaks["H3K27ac"]; pos, sig = _peak_position(pk), pk.signal.to_numpy(float)
    for i in range(0, len(genes), 7):
        g = genes.iloc[i]; off = (pos - g.tss) * (-1 if g.strand == "-" else 1)
        up = off < 0; d = np.abs(off)
        assert D.loc[i, "H3K27ac_ring_up_10_50kb"] == pytest.approx(sig[up & (d >= 10_000) & (d < 50_000)].sum())
        assert D.loc[i, "H3K27ac_ring_down_1_10kb"] == pytest.approx(sig[~up & (d >= 1_000) & (d < 10_000)].sum())
        k = ~up & (d >= 1_000) & (d <= 1_000_000)
        assert D.loc[i, "H3K27ac_abc_down"] == pytest.approx((sig[k] * 5000 / np.maximum(d[k], 5000)).sum())
    assert (D.filter(like="_ring_") > 0).mean().min() > 0.05      # real signal, not an empty join


def test_neighbourhood_matches_a_loop(chr21):
    genes, peaks, ann = chr21
    N = neighbourhood_features(genes, ann, {"H3K4me3": peaks["H3K4me3"]})
    for i in range(0, len(genes), 5):
        g = genes.iloc[i]
        o = ann[(ann.gene_id != g.gene_id) & ~((ann.tss == g.tss) & (ann.strand == g.strand))]
        off = (o.tss - g.tss).to_numpy() * (-1 if g.strand == "-" else 1); d = np.abs(off)
        near = lambda x: np.log10(1 + min(x.min(), 500_000)) if len(x) else np.log10(1 + 500_000)
        assert N.loc[i, "nbhd_dist_any"] == pytest.approx(near(d))
        assert N.loc[i, "nbhd_dist_up"] == pytest.approx(near(d[off < 0]))
        assert N.loc[i, "nbhd_density_100kb"] == (d <= 50_000).sum()
        assert N.loc[i, "nbhd_bidirectional"] == float(((o.strand.to_numpy() != g.strand) & (d <= 1000)).any())
    assert 0 < N.nbhd_bidirectional.mean() < 0.5                   # bidirectional promoters exist on chr21, as they should


def test_promoter_shape_matches_a_loop(chr21):
    genes, peaks, _ = chr21
    S = promoter_shape_features(genes, {"H3K4me3": peaks["H3K4me3"]})
    pk = peaks["H3K4me3"]; pos = _peak_position(pk)
    for i in range(0, len(genes), 5):
        g = genes.iloc[i]
        hit = (pk.start < g.tss + 1000).to_numpy() & (pk.end > g.tss - 1000).to_numpy()
        assert S.loc[i, "H3K4me3_pshape_n_peaks"] == hit.sum()
        if hit.any():
            b = np.flatnonzero(hit)[np.argmax(pk.signal.to_numpy()[hit])]
            assert S.loc[i, "H3K4me3_pshape_summit_dist"] == min(abs(pos[b] - g.tss), 2000)
            assert S.loc[i, "H3K4me3_pshape_width"] == pk.end[b] - pk.start[b]
            assert S.loc[i, "H3K4me3_pshape_p"] == pytest.approx(max(pk.pvalue[b], 0))
        else:
            assert S.loc[i, "H3K4me3_pshape_summit_dist"] == 1000
