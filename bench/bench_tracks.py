"""Bin matrix (timings include opening the bigWig files) for all X1 genes x 7 tracks x 100 bins of 100 bp (TSS +/- 5 kb):
PeakTrack (numpy step function), BigWigTrack (pyBigWig exact values, one read per gene window), pybbi's stackup,
and the naive loop of pyBigWig.stats per bin (timed on a subset, extrapolated). One core (torch/BLAS unused)."""
import time, tempfile
from pathlib import Path
import numpy as np
from epinb.io import load_ml4g
from epinb.tracks import ml4g_tracks, peaks_to_bigwig, BigWigTrack, bin_stack, tss_windows


def best_of(f, n=3):
    ts = []
    for _ in range(n):
        t0 = time.perf_counter(); r = f(); ts.append(time.perf_counter() - t0)
    return min(ts), r


def run():
    genes = load_ml4g("X1")
    peaks = ml4g_tracks("X1")
    tmp = Path(tempfile.mkdtemp())
    bws = {m: BigWigTrack(peaks_to_bigwig(t.peaks, path=tmp / f"{m}.bw")) for m, t in peaks.items()}
    t_peak, a = best_of(lambda: bin_stack(peaks, genes))
    t_bw, b = best_of(lambda: bin_stack({m: BigWigTrack(t.source, method="intervals") for m, t in bws.items()}, genes))
    t_bwv, c = best_of(lambda: bin_stack({m: BigWigTrack(t.source, method="values") for m, t in bws.items()}, genes), n=1)
    assert np.allclose(a, b, atol=1e-4) and np.allclose(a, c, atol=1e-4), "PeakTrack and BigWigTrack disagree"
    # naive: one pyBigWig.stats(exact=True) call per gene x bin x track, on a subset, extrapolated
    import pyBigWig
    sub = genes.iloc[:200]
    lo, _ = tss_windows(sub, 5000, 5000)
    handles = {m: pyBigWig.open(str(tmp / f"{m}.bw")) for m in peaks}
    t0 = time.perf_counter()
    for m, h in handles.items():
        for c, l in zip(sub.chrom, lo):
            for k in range(100):
                s = int(l) + 100 * k
                if s >= 0: h.stats(c, s, s + 100, type="mean", exact=True)
    t_naive = (time.perf_counter() - t0) * len(genes) / len(sub)
    out = dict(genes=len(genes), tracks=len(peaks), bins=100,
               peaktrack_seconds=round(t_peak, 3), bigwigtrack_intervals_seconds=round(t_bw, 3),
               bigwigtrack_values_seconds=round(t_bwv, 3),
               naive_pybigwig_stats_seconds_extrapolated=round(t_naive, 1),
               speedup_peaktrack_vs_naive=round(t_naive / t_peak, 1), speedup_bigwigtrack_intervals_vs_naive=round(t_naive / t_bw, 1),
               speedup_bigwigtrack_values_vs_naive=round(t_naive / t_bwv, 1))
    try:
        import bbi
        lo_all, hi_all = tss_windows(genes, 5000, 5000)
        def stackup():
            return [bbi.stackup(str(tmp / f"{m}.bw"), genes.chrom.tolist(), np.maximum(lo_all, 0), hi_all, bins=100, missing=0.0)
                    for m in peaks]
        t_bbi, _ = best_of(stackup, n=1)
        out["pybbi_stackup_seconds"] = round(t_bbi, 3)
    except Exception as e:  # pybbi missing or failing is reported, not fatal
        out["pybbi_stackup_seconds"] = f"unavailable: {type(e).__name__}"
    return out


if __name__ == "__main__":
    print(run())
