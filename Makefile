# epinb: `make figures` regenerates the paper, `make test` runs every test. Both work as the first command on a
# fresh machine: they install the environment and fetch/verify the data first.
SHELL := /bin/bash
VENV  := .venv
PY    := $(VENV)/bin/python
BIN   := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: install bedtools browser data pretrain figures html lab test bench readme check-clean reproducible

install: $(STAMP)

$(STAMP): requirements.txt settings.ini setup.py
	@command -v python3 >/dev/null || { echo "ERROR: python3 (3.11) is required"; exit 1; }
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	$(PY) -m ipykernel install --sys-prefix --name epinb --display-name "epinb (.venv)" >/dev/null
	@$(MAKE) --no-print-directory bedtools
	@$(MAKE) --no-print-directory browser
	@touch $(STAMP)

# Debian packages, when missing: apt-get as root, through sudo otherwise. `env` carries DEBIAN_FRONTEND past sudo
# (and past an empty $SUDO, where a bare assignment would be run as a command).
apt_install = SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  { $$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(1); } >/dev/null

# bedtools for pybedtools: required.
bedtools:
	@if ! command -v bedtools >/dev/null 2>&1; then \
	  echo "bedtools (needed by pybedtools) is missing: installing Debian's bedtools with apt-get"; \
	  $(call apt_install,bedtools) \
	  || { echo "ERROR: could not install bedtools. Install it yourself (apt-get install bedtools, or conda install -c bioconda bedtools) and rerun make."; exit 1; }; \
	fi

# Chromium and ChromeDriver for the browser test (tests/test_browser.py) only: without them everything else works,
# so a failed install is a warning that says what the test needs, not the end of `make install`.
browser:
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then \
	  echo "chromium / chromedriver (needed by the browser test) are missing: installing Debian's chromium and chromium-driver with apt-get"; \
	  $(call apt_install,chromium chromium-driver) \
	  || echo "WARNING: could not install Debian's chromium and chromium-driver. make figures, make lab and the notebooks work without them; the browser test (make test) fails until they are installed (apt-get install chromium chromium-driver)."; \
	fi

data: install
	$(BIN)/epinb data fetch --quiet

# The enhancer notebook's two pretrained Transformer encoders (masked-token pretraining on unlabelled sequence outside
# every test set), built once into data/derived/pretrained/ and only read back afterwards; notebook 24 reads them.
pretrain: install data
	$(BIN)/epinb pretrain --profile full

figures: install data pretrain
	$(BIN)/epinb figures --profile full --kernel epinb $(if $(WORKERS),--workers $(WORKERS))
	$(MAKE) readme

# The last run's executed notebooks (build/) as web pages in build/html/, without executing anything.
html: install
	$(BIN)/epinb html

# JupyterLab on the notebooks: 127.0.0.1, a token (in the URL it prints), the epinb kernel. PROFILE=quick runs the
# paper notebooks on the quick subset (outputs in build/quick/figures/) instead of the full paper (figures/).
lab: install data
	$(if $(PROFILE),EPINB_PROFILE=$(PROFILE)) $(BIN)/epinb lab $(if $(PORT),--port $(PORT))

readme: install
	$(PY) -c "from epinb.paper import render_readme; print(render_readme())"

# nbdev_test runs the library notebooks (their examples are the unit tests); pytest executes the paper notebooks
# end to end the way `make figures` does (papermill, a fresh kernel each, quick profile), once in sequence and once on
# two Dask workers, and compares the two (tests/conftest.py: quick_paper): running them under nbdev_test as well only
# repeated that work.
test: install data
	EPINB_PROFILE=quick EPINB_THREADS=1 OMP_NUM_THREADS=1 $(BIN)/nbdev_test --n_workers 2 --timing --skip_file_re '^([_.]|2[0-9]_)'
	$(BIN)/pytest tests/ -q --durations=15

bench: install data
	$(PY) bench/run.py

# nbdev projects keep the exported module and the notebooks in sync and the notebooks clean.
check-clean: install
	$(BIN)/nbdev_export
	$(BIN)/nbdev_clean
	@if [ -n "$$(git status --porcelain -- epinb nbs)" ]; then \
	  echo "ERROR: nbdev_export/nbdev_clean changed files: export and clean the notebooks, then commit"; \
	  git status --short -- epinb nbs; exit 1; fi
	@echo "notebooks clean and in sync with epinb/"

# Same machine, same commit: a second full-profile run of notebook 23 (the histone net) must give identical numbers
# (about 25 min on 2 cores). The outcome goes to figures/reproducibility.json.
NB ?= nbs/23_histone_net.ipynb
reproducible: install data
	$(BIN)/epinb reproduce $(NB) --profile full
