"""Issue 25 on the quick run's outputs (the session's quick paper run, conftest.py): every enhancer number has
its chance level beside it, composition baselines ran on the same folds, and out-of-fold numbers have explicit keys."""
import json
import numpy as np
import pandas as pd
import pytest
from epinb.config import figures_dir

pytestmark = pytest.mark.usefixtures("quick_paper")


def quick_outputs():
    figs = figures_dir("quick")
    assert (figs / "metrics.json").exists(), "run the quick notebooks first (the quick_paper fixture does)"
    return json.loads((figs / "metrics.json").read_text())["enhancers"], figs / "tables"


def test_every_tissue_has_its_chance_level():
    e, tables = quick_outputs()
    t = pd.read_csv(tables / "enhancers_vista_tissues.csv")
    p = t.prevalence.to_numpy()
    # the F1 of calling everything active; both columns hold 4 decimals, and d(2p/(1+p))/dp is up to 2, so rounding
    # alone moves the recomputed value by up to 1.5e-4
    assert np.allclose(t.f1_all_active, 2 * p / (1 + p), rtol=0, atol=2e-4, equal_nan=True)
    assert np.allclose(t.auprc_lift * t.prevalence, t.auprc, atol=1e-3, equal_nan=True)                # the table holds 4 decimals
    for k in ("vista_tissue_macro_auroc", "vista_tissue_macro_auprc", "vista_tissue_macro_prevalence", "vista_tissue_macro_f1_all_active",
              "vista_tissue_macro_f1", "vista_tissue_macro_auroc_oof"):
        assert 0 <= e[k] <= 1, k
    assert e["vista_tissue_macro_prevalence"] < e["vista_tissue_macro_f1_all_active"] < 2 * e["vista_tissue_macro_prevalence"] + 1e-9


def test_composition_baselines_and_out_of_fold_keys():
    e, tables = quick_outputs()
    for name in ("gc_lr", "kmer_lr"):
        for k in ("ienhancer_layer1_oof_accuracy", "ienhancer_layer1_test_accuracy", "vista_enhancer_auroc", "vista_tissue_macro_auroc_oof"):
            assert 0 <= e[f"{name}_{k}"] <= 1, (name, k)
    best = e["best_model_ienhancer"]
    assert e["ienhancer_layer1_oof_accuracy"] == e[f"{best}_ienhancer_layer1_oof_accuracy"] == e[f"{best}_ienhancer_val_accuracy"]
    rep = pd.read_csv(tables / "enhancers_ienhancer_repeated_cv.csv")
    assert set(rep.model) == {"motif_lr", "gc_lr"} and rep.fold_seed.nunique() == e["ienhancer_cv_repeats"]
    assert abs(e["motif_lr_ienhancer_layer1_oof_accuracy_repeats_mean"] - rep[rep.model == "motif_lr"].layer1_oof_accuracy.mean()) < 1e-4
