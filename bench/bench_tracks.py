"""Bin matrix (timings include opening the bigWig files) for all X1 genes x 7 tracks x 100 bins of 100 bp (TSS +/- 5 kb):
PeakTrack (numpy step function), BigWigTrack (pyBigWig exact values, one read per gene window), pybbi's stackup,
and the naive loop of pyBigWig.stats per bin (timed on a subset, extrapolated). One core (torch/BLAS unused).

`real_*`: the same on real dense signal, the two IHEC bigWigs of the shared data (chr21, 99.9 % covered) for all 876
GENCODE v38 chr21 genes x 100 bins: each exact reader, `auto` (which must pick the faster one), pyBigWig's naive
per-bin `stats(exact=True)` loop and pybbi's stackup, as ratios to `auto`."""
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
    out.update(real_bigwig())
    return out


def real_bigwig():
    "All chr21 genes x both IHEC bigWigs x 100 bins of 100 bp: the exact readers, auto, the naive stats loop, pybbi."
    import pyBigWig
    from epinb.config import raw_dir
    from epinb.io import read_gtf_genes
    d = raw_dir() / "bigwig"; files = sorted(d.glob("IHECRE*_chr21.bigwig"))
    genes = read_gtf_genes(d / "gencode.v38.annotation_chr21Genes.gtf"); genes = genes[genes.chrom == "chr21"]
    def stack(method): return np.stack([BigWigTrack(f, method=method).bin_matrix(genes, 5000, 5000, 100) for f in files], 1)
    times = {m: best_of(lambda m=m: stack(m)) for m in ("values", "intervals", "auto")}
    ref = times["values"][1]
    assert all(np.allclose(r, ref, atol=1e-5) for _, r in times.values()), "the exact bigWig readers disagree on real signal"
    picked = {BigWigTrack(f).reader("chr21") for f in files}
    lo, hi = tss_windows(genes, 5000, 5000)
    def naive():
        out = np.zeros((len(genes), len(files), 100))
        for j, f in enumerate(files):
            h = pyBigWig.open(str(f))
            for i, l in enumerate(lo):
                for k in range(100): out[i, j, k] = h.stats("chr21", int(l) + 100 * k, int(l) + 100 * (k + 1), type="mean", exact=True)[0] or 0.0
        minus = genes.strand.to_numpy() == "-"; out[minus] = out[minus, :, ::-1]
        return out
    t_naive, nv = best_of(naive, n=1)
    assert np.allclose(nv, ref, atol=1e-4), "the naive exact loop disagrees"
    res = dict(real_genes=len(genes), real_files=len(files), real_auto_picks=sorted(picked),
               real_values_seconds=round(times["values"][0], 3), real_intervals_seconds=round(times["intervals"][0], 3),
               real_auto_seconds=round(times["auto"][0], 3), real_naive_stats_seconds=round(t_naive, 2),
               real_naive_over_auto=round(t_naive / times["auto"][0], 1),
               real_auto_is_the_faster_reader=bool(times["auto"][0] <= 1.1 * min(times["values"][0], times["intervals"][0])))
    try:
        import bbi
        t_bbi, _ = best_of(lambda: [bbi.stackup(str(f), ["chr21"] * len(genes), np.maximum(lo, 0), hi, bins=100, missing=0.0) for f in files])
        res.update(real_pybbi_stackup_seconds=round(t_bbi, 3), real_pybbi_over_auto=round(t_bbi / times["auto"][0], 2))
    except Exception as e:
        res["real_pybbi_stackup_seconds"] = f"unavailable: {type(e).__name__}"
    return res


if __name__ == "__main__":
    print(run())
