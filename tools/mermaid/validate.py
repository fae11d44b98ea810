#!/usr/bin/env python3
"""Parses and renders Mermaid diagrams with the real mermaid.js in headless Chromium, and checks
the text of each rendered SVG against what the diagram meant to show.

Usage: validate.py [DIR ...]          (default: .build/mermaid-check, or $LANES_MERMAID_DIR)
       validate.py --self-test        (shows that broken diagrams are caught)

Every DIR/NAME.mmd is parsed and rendered; DIR/NAME.expect.json, when present, holds expectations:
  "texts":    strings that must each equal one text element of the SVG (so a cut title fails)
  "contains": strings that must appear somewhere in the SVG's text
  "absent":   strings that must not appear in the SVG's text
  "bars":     the values of an xychart's bars, in order: heights must be proportional to them
  "tasks":    {"taskId": [start, end], ...} of a gantt: bars must sit at x proportional to time
  "classed":  {"class": [node ids]} of a flowchart: exactly these nodes carry the class
  "maxChars": the most characters the diagram may have, in UTF-16 code units as Mermaid and GitHub
              count them (GitHub: 50,000 per diagram; an emoji is two units or more)
Mermaid draws a longer diagram (its maxTextSize, 50,000) as a placeholder reading "Maximum text size
in diagram exceeded"; that placeholder fails, with or without "maxChars".
A missing or empty DIR fails, so a test run that wrote nothing cannot pass unnoticed.

mermaid.js comes from the mermaidx wheel on PyPI (pip install mermaidx==0.10.1, mermaid 11.x);
Chromium and chromedriver from Debian (apt-get install chromium chromium-driver); selenium from pip.
Exit status: 0 all diagrams valid, 1 some failed, 2 setup problem (no mermaid.js, no browser, no DIR).
"""
import glob
import json
import os
import sys
import tempfile


def mermaid_js():
    try:
        import mermaidx
    except ImportError:
        print("validate.py: the mermaidx package is not installed (pip install mermaidx==0.10.1)", file=sys.stderr)
        sys.exit(2)
    path = os.path.join(os.path.dirname(mermaidx.__file__), "assets", "mermaid.js")
    if not os.path.isfile(path):
        print(f"validate.py: no mermaid.js in the mermaidx package at {path}", file=sys.stderr)
        sys.exit(2)
    return path


RENDER = r"""
const done = arguments[arguments.length - 1];
const [id, text] = [arguments[0], arguments[1]];
const TOO_LONG = 'Maximum text size in diagram exceeded';
(async () => {
  try {
    await mermaid.parse(text);
    const { svg } = await mermaid.render(id, text);
    const holder = document.createElement('div');
    holder.innerHTML = svg;
    document.body.appendChild(holder);
    const texts = [...holder.querySelectorAll('text, foreignObject')]
      .filter(e => !e.parentElement.closest('text, foreignObject'))
      .map(e => e.textContent);
    const bars = [...holder.querySelectorAll('g.bar-plot-0 rect')].map(r => ({
      x: +r.getAttribute('x'), y: +r.getAttribute('y'),
      width: +r.getAttribute('width'), height: +r.getAttribute('height') }));
    const tasks = {};
    for (const r of holder.querySelectorAll('rect.task')) {
      if (r.id) tasks[r.id.startsWith(id + '-') ? r.id.slice(id.length + 1) : r.id] =
        { x: +r.getAttribute('x'), width: +r.getAttribute('width') };
    }
    const classed = {};
    for (const g of holder.querySelectorAll('g.node')) {
      const m = /flowchart-(.+)-\d+$/.exec(g.id);
      for (const c of g.classList) if (m && c !== 'node' && c !== 'default') (classed[c] ||= []).push(m[1]);
    }
    const error = holder.querySelector('.error-text') ? 'mermaid drew its error diagram'
      : texts.some(t => t.includes(TOO_LONG)) ? `mermaid drew its "${TOO_LONG}" placeholder` : null;
    holder.remove();
    done({ ok: !error, error, texts, bars, tasks, classed, svgLength: svg.length });
  } catch (e) {
    done({ ok: false, error: String((e && (e.message || e.str)) || e) });
  }
})();
"""


def norm(s):
    return " ".join(s.split())


def utf16_length(s):
    """The length JavaScript (and so Mermaid and GitHub) gives `s`: UTF-16 code units."""
    return len(s.encode("utf-16-le")) // 2


def check(result, expect, text):
    problems = []
    if not result.get("ok"):
        return [f"does not parse/render: {norm(result.get('error') or 'unknown error')[:300]}"]
    texts = [norm(t) for t in result["texts"]]
    whole = "\n".join(texts)
    limit = expect.get("maxChars")
    if limit is not None and utf16_length(text) > limit:
        problems.append(f"{utf16_length(text)} UTF-16 code units, more than {limit}")
    for t in expect.get("texts", []):
        if norm(t) not in texts:
            near = [x for x in texts if norm(t)[:6] and norm(t)[:6] in x][:3]
            problems.append(f"no text element reads {t!r}" + (f" (near: {near!r})" if near else ""))
    for t in expect.get("contains", []):
        if norm(t) not in whole:
            problems.append(f"the rendered text lacks {t!r}")
    for t in expect.get("absent", []):
        if norm(t) in whole:
            problems.append(f"the rendered text shows {t!r}, which it should not")
    values = expect.get("bars")
    if values is not None:
        bars = result["bars"]
        if len(bars) != len(values):
            problems.append(f"{len(bars)} bars drawn, {len(values)} meant")
        elif values:
            # Heights must grow linearly with the values from an axis at 0: h = offset + k·v, with
            # the offset no more than a few pixels (Mermaid draws bars from just below the axis).
            heights = [b["height"] for b in bars]
            hi, lo = max(range(len(values)), key=lambda i: values[i]), min(range(len(values)), key=lambda i: values[i])
            k = (heights[hi] - heights[lo]) / (values[hi] - values[lo]) if values[hi] != values[lo] else 0
            offset = heights[hi] - k * values[hi]
            if values[hi] > 0 and abs(offset) > max(10.0, 0.04 * heights[hi]):
                problems.append(f"bars do not start from 0: heights {heights} for values {values}")
            for i, (v, h) in enumerate(zip(values, heights)):
                if v > 0 and h <= 0.5:
                    problems.append(f"bar {i} ({v}) is drawn with no height")
                elif abs(h - (offset + k * v)) > 1.5:
                    problems.append(f"bar {i} is {h:.1f} px high, {offset + k * v:.1f} px meant for {v}")
    tasks = expect.get("tasks")
    if tasks:
        drawn = result["tasks"]
        missing = [k for k in tasks if k not in drawn]
        if missing:
            problems.append(f"tasks not drawn: {missing[:5]}")
        else:
            items = sorted(tasks.items(), key=lambda kv: kv[1][0])
            (k0, (s0, _)), (k1, (_, e1)) = items[0], max(items, key=lambda kv: kv[1][1])
            x0, x1 = drawn[k0]["x"], drawn[k1]["x"] + drawn[k1]["width"]
            per = (x1 - x0) / (e1 - s0) if e1 > s0 else 0
            for k, (s, e) in items:
                x, w = drawn[k]["x"], drawn[k]["width"]
                if abs(x - (x0 + (s - s0) * per)) > 1.5 or abs(x + w - (x0 + (e - s0) * per)) > 1.5:
                    problems.append(f"task {k} drawn at {x:.1f}..{x + w:.1f} px, meant {x0 + (s - s0) * per:.1f}..{x0 + (e - s0) * per:.1f}")
                    break
    for cls, nodes in expect.get("classed", {}).items():
        drawn = sorted(set(result.get("classed", {}).get(cls, [])))
        if drawn != sorted(set(nodes)):
            problems.append(f"nodes of class {cls!r} are {drawn}, {sorted(set(nodes))} meant")
    return problems


# Diagrams the checks must reject, and one they must pass: --self-test shows the validator can fail.
SELF_TEST = {
    "raw-colon-cuts-title": ("gantt\n  dateFormat x\n  section s\n  a: b : t1, 0, 10\n", {"texts": ["a: b"]}, True),
    "parse-error": ("gantt\n  dateFormat x\n  section s\n  gantt : t1, 0, 10\n", {}, True),
    "axis-not-from-zero": ('xychart-beta\n  x-axis ["a", "b"]\n  bar [100, 90]\n', {"bars": [100, 90]}, True),
    "bar-at-wrong-time": ("gantt\n  dateFormat x\n  section s\n  a : t1, 0, 10\n  b : t2, 10, 20\n  c : t3, 20, 100\n",
                          {"tasks": {"t1": [0, 10], "t2": [50, 60], "t3": [20, 100]}}, True),
    "wrong-highlight": ("flowchart TD\n  a --> b\n  classDef taken fill:#f00\n  class a taken\n", {"classed": {"taken": ["b"]}}, True),
    # 88 code points, 128 UTF-16 code units: over "maxChars" only when counted as JavaScript does.
    "emoji-over-max-chars": ("gantt\n  dateFormat x\n  section s\n  " + "🚀" * 40 + " : t1, 0, 10\n",
                             {"maxChars": 100}, True),
    # 30,000 code points, 60,000 UTF-16 code units, no "maxChars": Mermaid's placeholder fails by itself.
    "too-long-placeholder": ("gantt\n  dateFormat x\n  section s\n  " + "🚀" * 29_950 + " : t1, 0, 10\n", {}, True),
    "entities-shown": ("gantt\n  dateFormat x\n  section s#58;1\n  a#58; b #35;#59; : t1, 0, 10\n",
                       {"texts": ["a: b #;", "s:1"], "tasks": {"t1": [0, 10]}}, False),
}


def self_test():
    with tempfile.TemporaryDirectory() as tmp:
        for name, (text, expect, _) in SELF_TEST.items():
            with open(os.path.join(tmp, name + ".mmd"), "w") as f:
                f.write(text)
            with open(os.path.join(tmp, name + ".expect.json"), "w") as f:
                json.dump(expect, f)
        code, results = validate(sorted(glob.glob(os.path.join(tmp, "*.mmd"))), quiet=True)
        if code == 2:
            return 2
        wrong = [n for n, (_, _, bad) in SELF_TEST.items() if bool(results[os.path.join(tmp, n + ".mmd")]) != bad]
        for n in wrong:
            print(f"self-test FAIL: {n} was {'accepted' if SELF_TEST[n][2] else 'rejected'}: {results[os.path.join(tmp, n + '.mmd')]}")
        print(f"self-test: {len(SELF_TEST) - len(wrong)} of {len(SELF_TEST)} cases judged as meant")
        return 1 if wrong else 0


def main(argv):
    if argv == ["--self-test"]:
        return self_test()
    dirs = argv or [os.environ.get("LANES_MERMAID_DIR", ".build/mermaid-check")]
    files = []
    for d in dirs:
        found = sorted(glob.glob(os.path.join(d, "**", "*.mmd"), recursive=True))
        if not found:
            print(f"validate.py: no diagrams (*.mmd) in {d}: run the tests that write them first", file=sys.stderr)
            return 2
        files += found
    code, _ = validate(files)
    return code


def validate(files, quiet=False):
    """Renders every file; returns (exit status, {path: problems})."""
    results = {}
    js = mermaid_js()
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.options import Options
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        print("validate.py: selenium is not installed (pip install selenium)", file=sys.stderr)
        return 2, results
    options = Options()
    for a in ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]:
        options.add_argument(a)
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    with tempfile.TemporaryDirectory() as tmp:
        page = os.path.join(tmp, "page.html")
        with open(page, "w") as f:
            f.write(f'<!doctype html><html><head><meta charset="utf-8"><script src="file://{js}"></script>'
                    "<script>mermaid.initialize({startOnLoad: false, securityLevel: 'strict'});</script>"
                    '</head><body style="width:1200px"></body></html>')
        try:
            driver = webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")), options=options)
        except Exception as e:  # noqa: BLE001 - any failure to start the browser is a setup problem
            print(f"validate.py: cannot start headless Chromium: {norm(str(e))[:300]}", file=sys.stderr)
            return 2, results
        try:
            driver.set_script_timeout(120)
            driver.get("file://" + page)
            failed = 0
            for n, path in enumerate(files):
                with open(path, encoding="utf-8") as f:
                    text = f.read()
                expect_path = path[: -len(".mmd")] + ".expect.json"
                expect = {}
                if os.path.exists(expect_path):
                    with open(expect_path, encoding="utf-8") as f:
                        expect = json.load(f)
                result = driver.execute_async_script(RENDER, f"d{n}", text)
                problems = check(result, expect, text)
                results[path] = problems
                if quiet:
                    continue
                if problems:
                    failed += 1
                    for p in problems:
                        print(f"FAIL {path}: {p}")
                else:
                    print(f"ok   {path} ({utf16_length(text)} UTF-16 code units)")
        finally:
            driver.quit()
    if quiet:
        return 0, results
    print(f"{len(files) - failed} of {len(files)} diagrams valid")
    return (1 if failed else 0), results


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
