"ML4G features (signal + peak topology, then log-z and all derived families) for all genes of one cell, uncached."
import time
from epinb.io import load_ml4g
from epinb.tracks import ml4g_tracks
from epinb.features import base_features, LogZ, derive_features


def run():
    t0 = time.perf_counter(); genes = load_ml4g("X1"); tracks = ml4g_tracks("X1"); t_read = time.perf_counter() - t0
    t1 = time.perf_counter()
    raw = base_features(genes, tracks, {m: t.peaks for m, t in tracks.items()}, cache=False)
    t_base = time.perf_counter() - t1
    t2 = time.perf_counter(); X = derive_features(LogZ().fit(raw).transform(raw), raw, genes); t_derive = time.perf_counter() - t2
    return dict(genes=len(genes), base_features=raw.shape[1], all_features=X.shape[1], read_seconds=round(t_read, 2),
                base_seconds=round(t_base, 2), derive_seconds=round(t_derive, 2),
                total_seconds=round(t_read + t_base + t_derive, 2))


if __name__ == "__main__":
    print(run())
