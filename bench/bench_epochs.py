"""Seconds per training epoch on the CPU of the three enhancer networks on notebook 24's data and shapes, and of the
histone net at notebook 23's shape. The GPU figures are `bench_epochs_gpu.py`'s, in their own section, so that a GPU
machine's many CPU cores never replace these.

Enhancers: iEnhancer-2L (200 bp, batch 64, one strength head) and VISTA (1 kb, batch 32, one head per tissue with >= 50
positives; the Transformer reads non-overlapping 3-mers there). The Transformer is timed at both shapes of
`epinb.sequence_nets.model_size`: "cpu" (2 layers x 64, what the paper trains on 2 CPU cores) and "reference" (the
reference study's 6 layers x 256). An epoch is the one trainer (`epinb.train.fit`, through `train_enhancer_model`) over
the sequences one cross-validation fit of notebook 24 trains on (4 of 5 folds, less its 10 % inner validation share, of
the iEnhancer training set or of VISTA's 85 % train pool) plus a 32-sequence validation pass.

Histone net: `HistoneNet` at notebook 23's full-profile size (7 marks x 100 bins of 100 bp, d_model 32, 2 layers, 4
heads, batch 128, the MSE + Pearson loss) over the genes its random split trains on. Its inputs are random numbers of
that shape: an epoch's cost depends on the shapes only, and the ML4G bigWigs need not be read for it.

The first epoch pays one-off costs (allocation, kernel choice) and is not timed; the next `REPEATS` are, and their
median is recorded with their range beside it (`..._range`: fastest and slowest), because the speed of a shared two-core
machine drifts: there, the same epoch on the same table took from 28.6 to 36.9 s within four minutes. The one exception
is the reference Transformer on the CPU, which would take minutes per epoch: it is timed on a random `CPU_ROWS` of those
sequences and scaled up, and the CPU-shape Transformer is timed on the same sample to give the ratio of the two shapes."""
import numpy as np
import torch
from epinb.config import torch_device
from epinb.io import read_ienhancer, ienhancer_training_set, read_vista
from epinb.sequence import sanitize, md5_key
from epinb.sequence_nets import KINDS, model_size, train_enhancer_model
from epinb.histone_net import HistoneNet, mse_pearson_loss
from epinb.train import fit

CPU_ROWS = 256          # sequences timed per epoch of the reference Transformer on the CPU
REPEATS = 3             # epochs timed after the untimed first one; the median is recorded
FIT_SHARE = 0.8 * 0.9   # a cross-validation fit trains on 4 of 5 folds, less 10 % for early stopping
HISTONE = dict(genes=16284, train_share=0.81, marks=7, bins=100, d_model=32, n_layers=2, n_heads=4, batch_size=128, lr=2e-3)
                        # notebook 23's full profile (its `genes` metric, random split 81 / 9 / 10, parameters cell)


def datasets() -> dict:
    """{name: (table, label columns, length, batch size, share of the table in notebook 24's cross-validation)} as notebook
    24 builds them (labels matter here only for their shape)."""
    ie = read_ienhancer(); ie["seq"] = [sanitize(s) for s in ie.seq]; ie["key"] = ie.seq.map(md5_key)
    ie_train = ienhancer_training_set(ie)
    v = read_vista(); v["seq"] = [sanitize(s, invalid="n") for s in v.seq]
    tissues = [c for c in v.filter(like="active_") if v[c].sum() >= 50]
    return {"ienhancer": (ie_train, ["strong"], 200, 64, 1.0), "vista": (v, tissues, 1000, 32, 0.85)}


def time_epoch(kind, table, labels, length, batch_size, rows, device, shape, seed=0, repeats=REPEATS) -> np.ndarray:
    "Seconds of each of `repeats` training epochs over `rows` sequences of `table`, after one untimed epoch."
    rng = np.random.default_rng(seed)
    idx = rng.permutation(len(table)); tr, va = table.iloc[idx[:rows]], table.iloc[idx[rows:rows + 32]]
    stride = 3 if kind == "transformer" and length > 200 else 1
    _, hist = train_enhancer_model(kind, tr, va, labels, length, stride, epochs=1 + repeats, patience=repeats + 1, seed=seed,
                                   device=device, batch_size=batch_size, progress=False, **model_size(kind, shape))
    return hist.seconds.to_numpy()[1:]


def time_histone_epoch(device, rows=None, seed=0, repeats=REPEATS) -> np.ndarray:
    "Seconds of each of `repeats` epochs of `HistoneNet` at notebook 23's shape (`HISTONE`), after one untimed epoch."
    h = HISTONE; rows = rows or int(h["genes"] * h["train_share"])
    g = torch.Generator().manual_seed(seed)
    x, y = torch.randn(rows + 256, h["marks"], h["bins"], generator=g), torch.randn(rows + 256, generator=g)
    torch.manual_seed(seed)
    net = HistoneNet(h["marks"], h["bins"], d_model=h["d_model"], n_layers=h["n_layers"], n_heads=h["n_heads"])
    hist = fit(net, (x[:rows], y[:rows]), (x[rows:], y[rows:]), mse_pearson_loss(0.5), epochs=1 + repeats,
               patience=repeats + 1, lr=h["lr"], batch_size=h["batch_size"], seed=seed, device=device, progress=False)
    return hist.seconds.to_numpy()[1:]


def record(res, key, seconds, scale=1.0):
    "Put the median of `seconds` (times `scale`) under `key` and its range under `key_range`; print both."
    res[key] = round(float(np.median(seconds)) * scale, 2)
    res[f"{key}_range"] = [round(float(x) * scale, 2) for x in (seconds.min(), seconds.max())]
    print(f"  {key}: {res[key]} {res[f'{key}_range']}", flush=True)


def time_device(device) -> dict:
    """Every timing on one device ("cpu" or "gpu" in the keys). On the CPU the reference Transformer is timed on
    `CPU_ROWS` sequences and scaled up, beside the CPU shape on the same sample."""
    dev = "gpu" if device.type == "cuda" else "cpu"; res = dict(timed_epochs=REPEATS)
    for name, (table, labels, length, batch_size, pool) in datasets().items():
        fit_rows = int(len(table) * pool * FIT_SHARE); res[f"{name}_fit_rows"] = fit_rows
        for kind, shape in [(k, "cpu") for k in KINDS] + [("transformer", "reference")]:
            rows = min(CPU_ROWS, fit_rows) if (dev, shape) == ("cpu", "reference") else fit_rows
            s = time_epoch(kind, table, labels, length, batch_size, rows, device, shape)
            if shape == "reference": reference_seconds = s
            record(res, f"{name}_{kind}{'_reference' if shape == 'reference' else ''}_seconds_per_epoch_{dev}", s, fit_rows / rows)
        if dev == "cpu":   # both shapes on the same sample
            same = time_epoch("transformer", table, labels, length, batch_size, min(CPU_ROWS, fit_rows), device, "cpu")
            res[f"{name}_transformer_reference_vs_cpu_shape_cpu"] = round(float(np.median(reference_seconds) / np.median(same)), 1)
    res["histone_net_fit_rows"] = int(HISTONE["genes"] * HISTONE["train_share"])
    record(res, f"histone_net_seconds_per_epoch_{dev}", time_histone_epoch(device))
    return res


def run():
    device = torch_device("cpu")
    return dict(torch_threads=torch.get_num_threads(), cpu_rows=CPU_ROWS, **time_device(device))


if __name__ == "__main__":
    print(run())
