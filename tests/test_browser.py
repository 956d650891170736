"""The notebooks and the paper's web pages in a real browser: Debian's headless Chromium driven by Selenium through
Debian's ChromeDriver (nothing is downloaded). Marked `browser`, so it can run alone (`pytest -m browser`); `make test`
runs it with the rest. Screenshots of each step go to build/browser/, to look at when a step fails."""
import json, os, re, secrets, shutil, signal, socket, subprocess, sys, threading, time, urllib.error, urllib.request
import functools, http.server, tempfile
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
SHOTS = ROOT / "build" / "browser"
pytestmark = pytest.mark.browser
CHROMIUM_FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync")   # no calls to the closed network


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0)); return s.getsockname()[1]


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not (chromium and driver):
        pytest.fail("the browser test needs Debian's chromium and chromium-driver: `make install` installs them where apt-get "
                    "can; otherwise apt-get install chromium chromium-driver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    o = webdriver.ChromeOptions(); o.binary_location = chromium
    for a in (*CHROMIUM_FLAGS, f"--user-data-dir={tmp_path_factory.mktemp('chromium')}"): o.add_argument(a)
    d = webdriver.Chrome(options=o, service=Service(executable_path=driver))
    d.set_window_size(1400, 1000)
    SHOTS.mkdir(parents=True, exist_ok=True)
    yield d
    d.quit()


def shot(d, name: str): d.save_screenshot(str(SHOTS / f"{name}.png"))


def wait_for(d, what: str, pred, timeout: float, name: str):
    "Poll `pred` until it is truthy; on a timeout save a screenshot and fail naming `what`."
    t0 = time.time()
    while time.time() - t0 < timeout:
        v = pred()
        if v: return v
        time.sleep(0.5)
    shot(d, f"{name}-timeout")
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what} (screenshot: build/browser/{name}-timeout.png)")


# --- JupyterLab -----------------------------------------------------------------------------------------------------

def _lab_settings(folder: Path):
    "User settings for the test's JupyterLab: no autosave (the test must not write into nbs/), no news pop-up over the page."
    for plugin, value in (("docmanager-extension/plugin", {"autosave": False}),
                          ("apputils-extension/notification", {"fetchNews": "false", "checkForUpdates": False})):
        f = folder / "@jupyterlab" / f"{plugin}.jupyterlab-settings"; f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(json.dumps(value))


def test_jupyterlab_runs_the_data_notebook_with_the_epinb_kernel(browser, tmp_path):
    "`epinb lab` (what `make lab` runs), then, as a reader does: open notebook 20, Run > Run All Cells, look at the figure."
    from selenium.webdriver.common.by import By
    nb = ROOT / "nbs" / "20_data_overview.ipynb"
    before = nb.read_bytes()
    n_code = sum(c["cell_type"] == "code" for c in json.loads(before)["cells"])
    port, token = _free_port(), secrets.token_hex(16)
    _lab_settings(tmp_path / "settings")
    runtime = tempfile.mkdtemp(prefix="epinb-lab-")   # short: kernel sockets are named after files in it (107 bytes at most)
    env = {**os.environ, "JUPYTER_TOKEN": token, "JUPYTERLAB_SETTINGS_DIR": str(tmp_path / "settings"),
           "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "workspaces"), "JUPYTER_RUNTIME_DIR": runtime,
           "EPINB_PROFILE": "quick", "EPINB_FIGURES": str(tmp_path / "figures"), "EPINB_THREADS": "1"}   # outputs away from the repo
    log = open(tmp_path / "lab.log", "w")
    server = subprocess.Popen([str(BIN / "epinb"), "lab", "--no-browser", "--port", str(port)], cwd=ROOT, env=env,
                              stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        def up():
            try: return urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2).status == 200
            except OSError: return server.poll() is not None and pytest.fail(f"JupyterLab exited: {(tmp_path / 'lab.log').read_text()[-2000:]}")
        wait_for(browser, "JupyterLab to answer on 127.0.0.1", up, 90, "lab-start")
        with pytest.raises(urllib.error.HTTPError):   # the token is required
            urllib.request.urlopen(f"{base}/api/contents/nbs", timeout=5)
        browser.get(f"{base}/lab/tree/nbs/{nb.name}?token={token}")
        def kernel_ready():   # the toolbar names the kernel once one is started ("No Kernel" while it starts), then it turns idle
            names = [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".jp-NotebookPanel-toolbar .jp-Toolbar-kernelName")]
            status = " ".join(e.text for e in browser.find_elements(By.CSS_SELECTOR, ".jp-StatusBar-Widget"))
            return names if names and "No Kernel" not in names and "| Idle" in status else None
        kernel = wait_for(browser, "a started, idle kernel", kernel_ready, 120, "lab-open")
        shot(browser, "lab-1-open")
        assert kernel == ["epinb (.venv)"], kernel   # preselected from the notebook's metadata: no kernel dialog
        next(m for m in browser.find_elements(By.CSS_SELECTOR, ".lm-MenuBar-item") if m.text == "Run").click()
        wait_for(browser, "Run All Cells in the Run menu", lambda: [e for e in browser.find_elements(By.CSS_SELECTOR, ".lm-Menu-item")
                                                                      if e.text.strip().startswith("Run All Cells")], 20, "lab-menu")[0].click()

        def finished():
            prompts = [e.text.strip() for e in browser.find_elements(By.CSS_SELECTOR, ".jp-NotebookPanel .jp-CodeCell .jp-InputPrompt")]
            idle = browser.find_elements(By.CSS_SELECTOR, ".jp-Notebook-ExecutionIndicator[data-status='idle']")
            return len(prompts) == n_code and all(re.fullmatch(r"\[\d+\]:", p) for p in prompts) and idle
        wait_for(browser, f"all {n_code} code cells to run", finished, 300, "lab-run")
        images = browser.execute_script("return Array.from(document.querySelectorAll('.jp-NotebookPanel .jp-OutputArea-output img')).map(i => i.naturalWidth)")
        errors = [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".jp-NotebookPanel .jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
                  if re.search(r"Traceback|^\w+(Error|Exception)\b", e.text, re.M)]
        browser.execute_script("document.querySelector('.jp-NotebookPanel .jp-OutputArea-output img').scrollIntoView()")
        shot(browser, "lab-2-ran")
        assert images and min(images) > 0, images        # the figure is there and drawn
        assert not errors, errors[0][:2000]
        assert (tmp_path / "figures" / "data_expression_distribution.png").exists()   # the run's outputs went where EPINB_FIGURES says
    finally:
        server.send_signal(signal.SIGTERM)   # Jupyter shuts its kernels down on SIGTERM
        try: server.wait(30)
        except subprocess.TimeoutExpired: os.killpg(server.pid, signal.SIGKILL)
        log.close(); shutil.rmtree(runtime, ignore_errors=True)
    assert nb.read_bytes() == before, "running the notebook in JupyterLab changed it on disk"
    assert "without encryption" not in (tmp_path / "lab.log").read_text()   # kernels over IPC


# --- The paper as web pages -----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def site(quick_paper):
    "The web pages of the session's quick paper run, served over HTTP on 127.0.0.1 as a reader's server would."
    html = quick_paper["build"] / "html"
    assert (html / "index.html").exists(), "epinb figures did not render the pages"
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args): pass
    handler = functools.partial(Quiet, directory=str(html))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield dict(base=f"http://127.0.0.1:{server.server_address[1]}", folder=html, metrics=json.loads((quick_paper["figures"] / "metrics.json").read_text()))
    server.shutdown()


def _number(text: str):
    m = re.match(r"\s*(n/a|-?\d+(?:\.\d+)?)", text)
    assert m, f"no number in {text!r}"
    return None if m.group(1) == "n/a" else float(m.group(1))


def test_the_index_shows_the_numbers_of_metrics_json(browser, site):
    from selenium.webdriver.common.by import By
    browser.get(f"{site['base']}/index.html")
    shot(browser, "html-index")
    cells = browser.find_elements(By.CSS_SELECTOR, "table.headline td[data-key]")
    assert len(cells) >= 30, len(cells)
    shown = 0
    for c in cells:
        section, name = c.get_attribute("data-key").split(".", 1)
        want = site["metrics"].get(section, {}).get(name)
        got = _number(c.text)
        if want is None: assert got is None, (section, name, c.text)
        else:
            shown += 1
            assert got is not None and abs(got - want) <= (0.0005 if isinstance(want, float) else 0), (section, name, c.text, want)
    assert shown >= 20, f"only {shown} headline numbers present in the quick run's metrics"


def test_every_page_has_its_images_and_no_broken_link(browser, site):
    from selenium.webdriver.common.by import By
    browser.get(f"{site['base']}/index.html")
    pages = sorted({a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "a[href]")})
    pages = [p for p in pages if p.startswith(site["base"])]
    paper = [p for p in pages if re.search(r"/2\d_\w+\.html$", p)]
    assert len(paper) == 7 and sum("/api/" in p for p in pages) >= 18, pages   # every paper notebook ran in the quick paper
    external, checked = set(), 0
    for url in pages:
        browser.get(url)
        wait_for(browser, f"{url} to load", lambda: browser.execute_script("return document.readyState") == "complete", 30, "html-load")
        name = url.rsplit("/", 2)[-2:] if "/api/" in url else [url.rsplit("/", 1)[-1]]
        images = browser.execute_script("return Array.from(document.images).map(i => [i.complete && i.naturalWidth > 0, i.src.slice(0, 60)])")
        if url in paper: shot(browser, "html-" + "-".join(name).removesuffix(".html"))
        assert all(ok for ok, _ in images), (url, [s for ok, s in images if not ok])
        if re.search(r"/2[1-5]_\w+\.html$", url): assert images, f"{url}: a paper notebook's page without figures"
        for href in {a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "a[href]")}:
            if not href.startswith(site["base"]):
                external.add(href); continue   # outside this site: not reachable from here (no network) and not ours to check
            target, _, anchor = href.partition("#")
            assert urllib.request.urlopen(urllib.request.Request(target, method="HEAD"), timeout=10).status == 200, (url, href)
            if anchor and target == url.partition("#")[0]:
                assert browser.find_elements(By.ID, anchor), (url, href)
            checked += 1
    assert checked > len(pages)
