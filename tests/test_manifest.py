"Fetch and verify: the download path against a local HTTP server, the mirror path, and the CLI on real files."
import hashlib, http.server, shutil, threading
from pathlib import Path
import pandas as pd
import pytest
from epinb.manifest import fetch, verify, read_manifest, FetchError

GOOD = b"chr2\t10\t20\tp\t0\t.\t1.5\t2\t3\t5\n" * 2000


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass

    def do_GET(self):
        body = GOOD if self.path in ("/good", "/drop") else GOOD.replace(b"1.5", b"9.9")
        self.send_response(200); self.send_header("Content-Length", str(len(GOOD))); self.end_headers()
        if self.path == "/drop":  # promise the whole file, send half, hang up
            self.wfile.write(body[: len(body) // 2]); self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)


@pytest.fixture
def server():
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    t = threading.Thread(target=srv.serve_forever, daemon=True); t.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown(); srv.server_close()


def one_row(url):
    return pd.DataFrame([dict(dataset="t", path="t/peaks.bed", bytes=len(GOOD), sha256=hashlib.sha256(GOOD).hexdigest(),
                              source_url=url, licence="CC0")])


def test_download_good_file(server, tmp_path, monkeypatch):
    monkeypatch.delenv("EPINB_MIRROR", raising=False)
    r = fetch(one_row(f"{server}/good"), tmp_path, progress=False)
    assert list(r.action) == ["downloaded"]
    assert (tmp_path / "t/peaks.bed").read_bytes() == GOOD
    assert list(fetch(one_row(f"{server}/good"), tmp_path, progress=False).action) == ["skipped"]


def test_download_corrupted_file_is_refused(server, tmp_path, monkeypatch):
    monkeypatch.delenv("EPINB_MIRROR", raising=False)
    with pytest.raises(FetchError, match=r"t/peaks.bed: download from .*/corrupt: expected sha256"):
        fetch(one_row(f"{server}/corrupt"), tmp_path, progress=False)
    assert list((tmp_path / "t").iterdir()) == []  # no file and no .part left behind


def test_dropped_connection_leaves_no_partial_file(server, tmp_path, monkeypatch):
    monkeypatch.delenv("EPINB_MIRROR", raising=False)
    with pytest.raises(FetchError, match=r"t/peaks.bed: download from .*/drop: expected"):
        fetch(one_row(f"{server}/drop"), tmp_path, progress=False)
    assert list((tmp_path / "t").iterdir()) == []


def test_unreachable_source_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.delenv("EPINB_MIRROR", raising=False)
    with pytest.raises(FetchError, match="expected a reachable source"):
        fetch(one_row("http://127.0.0.1:9/nothing"), tmp_path, progress=False)


def test_project_manifest_matches_upstream():
    ours = read_manifest()
    upstream = Path(__file__).resolve().parents[2] / "shared/data/MANIFEST.tsv"
    if not upstream.exists(): pytest.skip("no ../shared/data beside the clone")
    pd.testing.assert_frame_equal(ours, read_manifest(upstream))


def test_cli_verify_names_a_corrupted_file_and_fetch_repairs_it(run_epinb, tmp_path):
    "On a copy of the real vista dataset: corrupt one file, delete another; verify fails naming them; fetch repairs."
    from epinb.config import raw_dir
    mirror = raw_dir()
    env = {"EPINB_DATA": str(tmp_path), "EPINB_MIRROR": str(mirror)}
    assert run_epinb("data", "fetch", "--dataset", "ienhancer", "--quiet", env=env).returncode == 0
    target = tmp_path / "raw/ienhancer/layer1/test_enhancers.fa"
    target.write_bytes(target.read_bytes()[:-10] + b"ACGTACGTAC")
    (tmp_path / "raw/ienhancer/layer2/train_weak_enhancers.fa").unlink()
    r = run_epinb("data", "verify", "--dataset", "ienhancer", "--quiet", env=env)
    assert r.returncode == 1
    assert "BAD ienhancer/layer1/test_enhancers.fa: sha256" in r.stderr
    assert "BAD ienhancer/layer2/train_weak_enhancers.fa: missing" in r.stderr
    r = run_epinb("data", "fetch", "--dataset", "ienhancer", "--quiet", env=env)
    assert r.returncode == 0 and "copied" in r.stdout
    assert run_epinb("data", "verify", "--dataset", "ienhancer", "--quiet", env=env).returncode == 0


def test_whole_manifest_is_verified_on_disk():
    v = verify(progress=False)
    assert len(v) == 455 and (v.status == "ok").all(), v[v.status != "ok"]
