"""The epochs of `bench_epochs.py` (the three enhancer networks at notebook 24's shapes, the Transformer at both
shapes, and the histone net at notebook 23's) on the GPU, every sequence timed. A section of its own: `make bench` on a
machine without a GPU leaves it as it was recorded (`run` returns None there), and the GPU machine's CPU cores never
replace the 2-core CPU figures of `epochs`.

On the GPU machine (its image has torch, numpy, pandas, tqdm and scikit-learn, all this imports): carry
`data/raw/ienhancer` and `data/raw/vista`, then `PYTHONPATH=. python3 bench/run.py epochs_gpu`."""
import os, torch
from bench_epochs import time_device


def run():
    if not torch.cuda.is_available() or os.environ.get("EPINB_DEVICE") == "cpu": return None
    p = torch.cuda.get_device_properties(0)
    return dict(gpu=p.name, gpu_memory_gib=round(p.total_memory / 2 ** 30, 1), torch=torch.__version__,
                cuda=torch.version.cuda, **time_device(torch.device("cuda")))
