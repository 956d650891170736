"""What only a GPU can show: the one trainer, the attribution and the saved models on CUDA. Skipped where torch sees no
GPU (CI); on the GPU machine, whose image has torch, numpy, pandas, scikit-learn and pytest, run
`PYTHONPATH=. python3 -m pytest -q tests/test_gpu.py` (no data needed)."""
import os, subprocess, sys
from pathlib import Path
import numpy as np
import pandas as pd
import pytest
import torch
from torch import nn

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA GPU")
ROOT = Path(__file__).resolve().parents[1]
SIZES = dict(cnn=dict(channels=8), transformer=dict(d_model=16, n_layers=1, n_heads=2, d_ff=32))


def toy(n, seed):
    "Random 64-mers; enhancers carry an AP-1 site, 'two' (defined for enhancers only) marks a second copy."
    rng, rows = np.random.default_rng(seed), []
    for i in range(n):
        s = list(rng.choice(list("ACGT"), 64)); e = i % 2; two = float(i % 4 == 1)
        if e: s[10:17] = "TGACTCA"; s[40:47] = "TGACTCA" if two else s[40:47]
        rows.append(dict(id=f"s{i}", seq="".join(s), enhancer=e, two=two if e else np.nan))
    return pd.DataFrame(rows)


def test_fit_on_the_gpu_learns_like_the_cpu():
    "The same regression on both devices: the same batches, early stopping and losses, up to float error."
    from epinb.train import fit
    g = torch.Generator().manual_seed(0)
    x = torch.randn(512, 4, generator=g); y = x @ torch.tensor([1.0, -2.0, 0.5, 0.0]) + 0.01 * torch.randn(512, generator=g)
    mse = lambda out, t: ((out[:, 0] - t) ** 2).mean()
    hist = {}
    for dev in ("cpu", "cuda"):
        torch.manual_seed(1); m = nn.Linear(4, 1)
        hist[dev] = fit(m, (x[:400], y[:400]), (x[400:], y[400:]), mse, epochs=15, lr=0.05, patience=3, progress=False, device=dev)
        assert next(m.parameters()).device.type == dev
    assert len(hist["cpu"]) == len(hist["cuda"])
    np.testing.assert_allclose(hist["cuda"].train_loss, hist["cpu"].train_loss, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(hist["cuda"].val_loss, hist["cpu"].val_loss, rtol=1e-4, atol=1e-6)


def test_networks_trained_on_the_gpu_apply_without_one(tmp_path):
    """A CNN and a Transformer trained on CUDA give gradient x input there, and, saved with `save_enhancer_model`, are
    applied by `predict_enhancers` in a process that sees no GPU, with the probabilities they give in memory."""
    from epinb.sequence_nets import cross_fit, average_predictions, sequence_attribution, encode
    from epinb.predict import save_enhancer_model
    from epinb.sequence import md5_key
    from epinb.splits import group_kfold
    train, new = toy(240, 0), toy(40, 1)
    train["key"] = train.seq.map(md5_key); train["fold"] = group_kfold(train.key, 3, 0, strata=train.enhancer)
    cv = {k: cross_fit(k, train, ["two"], 64, dict(new=new), folds=[0], epochs=2, device=torch.device("cuda"), progress=False, **s)
          for k, s in SIZES.items()}
    assert next(cv["cnn"]["models"][0].parameters()).is_cuda
    x, mask = encode(new.seq[:3], "cnn", 64)
    att = sequence_attribution(cv["cnn"]["models"][0], x, mask)
    assert isinstance(att, np.ndarray) and att.shape == (3, 64) and np.isfinite(att).all()
    save_enhancer_model(tmp_path / "enh", {k: r["models"] for k, r in cv.items()},
                        dict(enhancer=(tuple(SIZES), 0.5), two=(tuple(SIZES), 0.5)), ["two"], 64, sizes=SIZES,
                        label_given_enhancer=True, train_lengths=train.seq.str.len())
    (tmp_path / "new.fa").write_text("".join(f">{i}\n{s}\n" for i, s in zip(new.id, new.seq)))
    code = ("import torch; from epinb.predict import predict_enhancers; assert not torch.cuda.is_available(); "
            f"predict_enhancers({str(tmp_path / 'enh')!r}, {str(tmp_path / 'new.fa')!r}, {str(tmp_path / 'new.tsv')!r})")
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                       env={**os.environ, "CUDA_VISIBLE_DEVICES": "", "PYTHONPATH": str(ROOT)})
    assert r.returncode == 0, r.stderr[-2000:]
    res = pd.read_csv(tmp_path / "new.tsv", sep="\t")
    p_enh = average_predictions([cv[k]["pred"]["new"] for k in SIZES])[0]
    np.testing.assert_allclose(res.p_enhancer, p_enh, atol=1e-5)
