#!/usr/bin/env python3
"""Checks `lanes report --html` and `lanes compare --html` pages in headless Chromium.

Builds pages with the `lanes` binary from real traces (`lanes sample`, `lanes run cpu-primes`) and from a
synthetic trace whose names are XSS probes, opens each from file:// through selenium and chromedriver, and
checks: no console error, no network request, the span count the page shows equals the trace's, hovering
a known span's pixel shows its name in the tooltip, a wheel event narrows the visible range, keyboard
zoom, search counts, and for the probe trace that no script runs and the names show as text. A VizTracer
trace of a small Python program with nested calls checks that a row is one line per nesting level (its
height grows with its levels, each level's span is drawn in its colour on its own line, the legend says
how many spans were folded past --depth), and `lanes run fire-and-forget --model async` that hovering a
task's slice names the OS thread it ran on. Saves screenshots (not committed) for a person to look at.

    tools/browser/html_check.py [--lanes .build/debug/lanes] [--out /tmp/lanes-html-check]
    tools/browser/html_check.py --demo-page Reports/index.html [--demo-page …] [--out DIR]

With --demo-page, checks only the given multi-scenario pages (as `lanes demo` writes them): no console
error, no network request, one overview row per scenario and only the shown scenario's data decoded,
selecting each scenario (by a click on its row or its link) shows its name and makes the timeline's span
count that scenario's, hovering a span shows its name, and the address's #name selects a scenario and
survives a reload. Prints the load and switch times (`demo-page-first-paint-ms: 812`).

Exits non-zero with one line per failed check.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse

from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.actions.wheel_input import ScrollOrigin
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

XSS_NAMES = [
    "</script><img src=x onerror=alert(1)>",
    "<script>window.__xss=1</script>",
    "\"><svg onload=window.__xss=2>",
    "&lt;b&gt; \u2028 ' \" `${x}` --> <!--",
]

failures = []


def check(ok, what):
    print(("ok    " if ok else "FAIL  ") + what)
    if not ok:
        failures.append(what)


def lanes(binary, *args):
    r = subprocess.run([binary, *args], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"lanes {' '.join(args)} failed: {r.stderr.strip()}")
    return r.stdout


def trace_span_count(binary, path):
    m = re.search(r"^spans\s+(\d+)", lanes(binary, "info", path), re.M)
    return int(m.group(1))


def make_driver(width=1400, height=1000):
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                f"--window-size={width},{height}", "--hide-scrollbars", "--force-device-scale-factor=1"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    service = Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    return webdriver.Chrome(service=service, options=options)


def load(driver, path, timeout=60):
    driver.get_log("performance")  # drop what earlier pages logged
    driver.get("file://" + os.path.abspath(path))
    deadline = time.time() + timeout
    while time.time() < deadline:
        painted = driver.execute_script("return window.lanesReport ? window.lanesReport.firstPaint() : null")
        if painted is not None:
            return painted
        time.sleep(0.05)
    raise RuntimeError(f"{path}: the page did not paint within {timeout} s")


def network_requests(driver, page_url):
    """URLs the page asked for, besides itself and data: URIs, from the DevTools performance log."""
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            url = message["params"]["request"]["url"]
            if url != page_url and not url.startswith("data:"):
                urls.append(url)
    urls += driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    return urls


def console_errors(driver):
    return [e["message"] for e in driver.get_log("browser") if e["level"] in ("SEVERE", "ERROR")]


def canvas_origin(driver):
    driver.execute_script("window.scrollTo(0, 0)")
    r = driver.execute_script("const r = document.getElementById('chart').getBoundingClientRect(); return [r.left, r.top];")
    return r[0], r[1]


def hover_span(driver, k, run=0, origin=canvas_origin):
    """Moves the pointer onto span k (a real input event) and returns the tooltip's first line."""
    p = driver.execute_script("return window.lanesReport.spanPixel(arguments[0], arguments[1])", k, run)
    if p is None:
        return None, None
    left, top = origin(driver)
    ActionChains(driver).move_by_offset(0, 0).perform()
    actions = ActionChains(driver)
    actions.w3c_actions.pointer_action.move_to_location(int(left + p["x"]), int(top + p["y"]))
    actions.perform()
    time.sleep(0.1)
    first = driver.execute_script(
        "const t = document.getElementById('tooltip'); return t.hidden ? null : t.firstChild.textContent")
    return first, p


def check_page(driver, name, path, expected_spans, known=None, screenshot_dir=None):
    page_url = "file://" + path
    load(driver, path)
    check(console_errors(driver) == [], f"{name}: no console error")
    # The wait reasons the script draws come from the page's contract (emitted from Swift's WaitReason).
    contract = driver.execute_script("return JSON.parse(document.getElementById('lanes-contract').textContent)")
    legend_waits = driver.execute_script(
        "return Array.from(document.querySelectorAll('#legend span')).map((s) => s.textContent)"
        ".filter((t) => t.startsWith('wait: ')).map((t) => t.slice(6))")
    check((legend_waits != [] or name != "sample") and all(w in contract["waits"] for w in legend_waits),
          f"{name}: the legend's waits {legend_waits} are reasons of the page's contract")
    requests = network_requests(driver, page_url)
    check(requests == [], f"{name}: no network request {requests[:3] if requests else ''}".rstrip())
    shown = driver.find_element(By.ID, "span-count").get_attribute("data-count")
    hook = driver.execute_script("return window.lanesReport.spanCount()")
    check(int(shown) == expected_spans and hook == expected_spans,
          f"{name}: the page shows {shown} spans, the trace has {expected_spans}")

    # Hover: a known span by name if given, else the widest one on screen; its name must show.
    k = driver.execute_script("return window.lanesReport.findSpan(arguments[0])", known) if known else \
        driver.execute_script("return window.lanesReport.widestSpan(0)")
    expected_name = driver.execute_script("return window.lanesReport.spanName(arguments[0])", k)
    shown_name, p = hover_span(driver, k)
    check(known is None or expected_name == known, f"{name}: the page knows span {known!r}")
    check(shown_name == expected_name,
          f"{name}: hovering span {k} at {p and (round(p['x']), round(p['y']))} shows {shown_name!r}, expected {expected_name!r}")
    if screenshot_dir:
        driver.save_screenshot(os.path.join(screenshot_dir, f"{name}.png"))

    # Wheel up at the middle of the plot zooms in: the visible range narrows.
    before = driver.execute_script("return window.lanesReport.visibleRange()")
    left, top = canvas_origin(driver)
    ActionChains(driver).scroll_from_origin(ScrollOrigin.from_viewport(int(left + p["x"]), int(top + p["y"])), 0, -300).perform()
    time.sleep(0.15)
    after = driver.execute_script("return window.lanesReport.visibleRange()")
    check(after[1] - after[0] < (before[1] - before[0]) * 0.9,
          f"{name}: a wheel event narrows the range {before[1] - before[0]:.0f} → {after[1] - after[0]:.0f} ns")
    # Keyboard: 0 shows everything again, + halves the range.
    driver.find_element(By.ID, "chart").send_keys("0")
    full = driver.execute_script("return window.lanesReport.visibleRange()")
    driver.find_element(By.ID, "chart").send_keys("+")
    time.sleep(0.05)
    half = driver.execute_script("return window.lanesReport.visibleRange()")
    check(abs((half[1] - half[0]) - (full[1] - full[0]) / 2) < 1e-6 * (full[1] - full[0]) + 1,
          f"{name}: the + key halves the visible range")
    driver.find_element(By.ID, "chart").send_keys("0")
    time.sleep(0.05)

    # Click pins the span's details; shift-drag measures; a click on a process heading collapses it.
    shown_name, p = hover_span(driver, k)
    ActionChains(driver).click().perform()
    pinned = driver.execute_script("return window.lanesReport.pinned()")
    text = driver.execute_script("const p = document.getElementById('pinned'); return p.hidden ? null : p.querySelector('b').textContent")
    check(pinned is not None and pinned["span"] == k and text == expected_name, f"{name}: a click pins the span's details")
    if name == "xss":
        time.sleep(0.05)
        check(driver.execute_script("return window.lanesReport.flowsDrawn()") == 1, f"{name}: the pinned span's flow is drawn")
    left, top = canvas_origin(driver)
    canvas = driver.find_element(By.ID, "chart")
    size = driver.execute_script("const r = arguments[0].getBoundingClientRect(); return [r.width, r.height];", canvas)
    dx, dy = int(p["x"] - size[0] / 2), int(p["y"] - size[1] / 2)
    # Drag 60 px towards the side with room: a span at the chart's right edge has none to its right.
    drag = 60 if p["x"] + 70 < size[0] else -60
    ActionChains(driver).key_down(Keys.SHIFT).move_to_element_with_offset(canvas, dx, dy).click_and_hold() \
        .move_by_offset(drag, 0).release().key_up(Keys.SHIFT).perform()
    measured = driver.execute_script("return window.lanesReport.measured()")
    check(measured is not None and measured > 0, f"{name}: shift-drag measures a range ({measured and round(measured)} ns)")
    if screenshot_dir:
        driver.save_screenshot(os.path.join(screenshot_dir, f"{name}-pinned-measured.png"))
    driver.find_element(By.ID, "chart").send_keys(Keys.ESCAPE)
    h0 = driver.execute_script("return window.lanesReport.canvasHeight()")
    group_y = driver.execute_script("return window.lanesReport.firstGroupY()")
    left, top = canvas_origin(driver)

    def click_heading():
        actions = ActionChains(driver)
        actions.w3c_actions.pointer_action.move_to_location(int(left + 60), int(top + group_y))
        actions.w3c_actions.pointer_action.click()
        actions.perform()
    click_heading()
    h1 = driver.execute_script("return window.lanesReport.canvasHeight()")
    click_heading()
    h2 = driver.execute_script("return window.lanesReport.canvasHeight()")
    check(h1 < h0 and h2 == h0, f"{name}: a click on a process heading collapses and expands it ({h0} → {h1} → {h2} px)")
    check(console_errors(driver) == [], f"{name}: still no console error after interaction")


def timeline_origin(driver):
    """Scrolls the window so the timeline's top sits just under the sticky toolbar; the canvas's top-left."""
    driver.execute_script("""
        const box = document.getElementById('timeline-box').getBoundingClientRect();
        const bar = document.getElementById('toolbar').getBoundingClientRect();
        window.scrollBy(0, box.top - bar.height - 4);""")
    time.sleep(0.05)
    r = driver.execute_script("const r = document.getElementById('chart').getBoundingClientRect(); return [r.left, r.top];")
    return r[0], r[1]


def check_demo_page(driver, path, screenshot_dir=None):
    """A multi-scenario page (`lanes demo`'s index.html): overview, lazy data, selection, hover, #name."""
    name = "demo:" + os.path.basename(path)
    path = os.path.abspath(path)
    page_url = "file://" + path
    painted = load(driver, path)
    check(console_errors(driver) == [], f"{name}: no console error")
    requests = network_requests(driver, page_url)
    check(requests == [], f"{name}: no network request {requests[:3] if requests else ''}".rstrip())
    rows = driver.execute_script("""return [...document.querySelectorAll('#overview tbody tr')].map((r) =>
        ({ name: r.dataset.name, spans: Number(r.dataset.spans), href: r.querySelector('a').getAttribute('href') }))""")
    names = driver.execute_script("return window.lanesReport.scenarios()")
    blocks = driver.execute_script("return document.querySelectorAll('script[type=\"application/json\"][id^=\"lanes-scenario-\"]').length")
    check(len(rows) > 0 and len(rows) == len(names) == blocks,
          f"{name}: one overview row per scenario ({len(rows)} rows, {len(names)} scenarios, {blocks} data blocks)")
    check(driver.execute_script("return window.lanesReport.decodedScenarios()") == 1,
          f"{name}: only the shown scenario's data is decoded at load")
    if screenshot_dir:
        driver.save_screenshot(os.path.join(screenshot_dir, "demo-overview.png"))

    switch_times = []
    for i, row in enumerate(rows):
        # A click on the row's second cell (not the link) for most; the link itself for the last one.
        if i == len(rows) - 1 and i > 0:
            link = driver.find_elements(By.CSS_SELECTOR, "#overview tbody tr a")[i]
            driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", link)
            link.click()
        else:
            cell = driver.find_elements(By.CSS_SELECTOR, "#overview tbody tr")[i].find_elements(By.TAG_NAME, "td")[1]
            driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", cell)
            cell.click()
        deadline = time.time() + 20
        while time.time() < deadline and driver.execute_script("return window.lanesReport.scenario()") != i:
            time.sleep(0.02)
        shown = driver.execute_script("return window.lanesReport.scenario()")
        label = f"{name} [{row['name']}]"
        check(shown == i, f"{label}: selecting row {i} shows that scenario (shows {shown})")
        if shown != i:
            continue
        switch_times.append(driver.execute_script("return window.lanesReport.switchTime()"))
        spans = driver.execute_script("return window.lanesReport.spanCount()")
        header = driver.find_element(By.ID, "span-count").get_attribute("data-count")
        check(spans == row["spans"] and int(header) == spans,
              f"{label}: the timeline shows {spans} spans (header {header}), the scenario has {row['spans']}")
        title = driver.find_element(By.ID, "scenario-name").text
        check(title == row["name"], f"{label}: the section is titled {title!r}")
        fragment = urllib.parse.unquote(driver.execute_script("return location.hash").lstrip("#"))
        check(i == 0 and fragment == "" or fragment == row["name"], f"{label}: the address names it (#{fragment})")
        runs = driver.execute_script("return window.lanesReport.runCount()")
        table_rows = driver.execute_script("return document.querySelectorAll('#comparison tr').length")
        check(runs == 0 or table_rows == runs + 1, f"{label}: the per-model table has {runs} rows")
        # Hover the widest span on screen of the first run that has spans: its name shows in the tooltip.
        run = driver.execute_script(
            "for (let r = 0; r < window.lanesReport.runCount(); r++) if (window.lanesReport.hoverableSpan(r) >= 0) return r; return -1;")
        if spans > 0:
            k = driver.execute_script("return window.lanesReport.hoverableSpan(arguments[0])", run)
            check(run >= 0 and k >= 0, f"{label}: a span is on screen")
            if run >= 0 and k >= 0:
                expected = driver.execute_script("return window.lanesReport.spanName(arguments[0], arguments[1])", k, run)
                first, p = hover_span(driver, k, run, origin=timeline_origin)
                check(first == expected, f"{label}: hovering span {k} of run {run} shows {first!r}, expected {expected!r}")
        if screenshot_dir and i in (0, len(rows) - 1):
            driver.save_screenshot(os.path.join(screenshot_dir, f"demo-scenario-{i}.png"))
    check(console_errors(driver) == [], f"{name}: no console error after selecting every scenario")
    # Whatever the scenarios' names, notes and traces hold, none of it ran or became markup.
    try:
        text = driver.switch_to.alert.text
        check(False, f"{name}: no alert (saw {text!r})")
    except NoAlertPresentException:
        check(True, f"{name}: no alert")
    check(driver.execute_script("return window.__xss === undefined"), f"{name}: no script from the data ran")
    check(driver.execute_script("return document.querySelectorAll('img, svg, iframe, object, embed').length") == 0,
          f"{name}: no element injected")
    check(driver.execute_script("return document.scripts.length") == len(rows) + 2,
          f"{name}: only the page's script elements ({len(rows)} data, 1 contract, 1 code)")

    # The address selects: a hash set by hand selects its scenario, and a reload keeps it.
    if len(rows) > 1:
        target = len(rows) // 2
        driver.execute_script("location.hash = arguments[0]", rows[target]["href"])
        time.sleep(0.2)
        check(driver.execute_script("return window.lanesReport.scenario()") == target,
              f"{name}: setting the address to {rows[target]['href']} selects that scenario")
        driver.refresh()
        deadline = time.time() + 30
        while time.time() < deadline and driver.execute_script(
                "return window.lanesReport ? window.lanesReport.firstPaint() : null") is None:
            time.sleep(0.05)
        check(driver.execute_script("return window.lanesReport.scenario()") == target
              and driver.execute_script("return window.lanesReport.decodedScenarios()") == 1
              and driver.find_element(By.ID, "scenario-name").text == rows[target]["name"],
              f"{name}: after a reload the address still selects {rows[target]['name']!r}, and only it is decoded")
        check(console_errors(driver) == [], f"{name}: no console error after the reload")
    print(f"demo-page-bytes: {os.path.getsize(path)}")
    print(f"demo-page-first-paint-ms: {painted:.0f}")
    if switch_times:
        print(f"demo-page-switch-ms-max: {max(switch_times):.0f}")


def write_xss_trace(path):
    """A Chrome JSON trace whose process, thread and span names and attributes are XSS probes."""
    events = [
        {"ph": "M", "name": "process_name", "pid": 1, "tid": 1, "args": {"name": XSS_NAMES[0]}},
        {"ph": "M", "name": "thread_name", "pid": 1, "tid": 1, "args": {"name": XSS_NAMES[1]}},
        {"ph": "M", "name": "thread_name", "pid": 1, "tid": 2, "args": {"name": XSS_NAMES[2]}},
    ]
    counts = {}
    for i in range(40):
        name = XSS_NAMES[i % len(XSS_NAMES)]
        counts[name] = counts.get(name, 0) + 1
        events.append({"ph": "X", "name": name, "pid": 1, "tid": 1 + i % 2, "ts": i * 50, "dur": 40,
                       "args": {XSS_NAMES[3]: XSS_NAMES[0]}})
    # A flow from the first span (thread 1) to the second (thread 2): drawn when either is pinned.
    events.append({"ph": "s", "name": "hand-off", "cat": "flow", "id": 1, "pid": 1, "tid": 1, "ts": 10})
    events.append({"ph": "f", "bp": "e", "name": "hand-off", "cat": "flow", "id": 1, "pid": 1, "tid": 2, "ts": 60})
    with open(path, "w") as f:
        json.dump({"traceEvents": events}, f)
    return 40, counts


NESTED_PROGRAM = """
def leaf():
    x = 0
    for i in range(40000):
        x += i * i
    return x

def level(n):
    if n == 0:
        leaf()
    else:
        level(n - 1)

def main():
    for _ in range(4):
        level(6)

main()
"""


def write_nested_trace(out):
    """A VizTracer trace of a small Python program whose calls nest about ten deep; returns its path."""
    program = os.path.join(out, "nested.py")
    with open(program, "w") as f:
        f.write(NESTED_PROGRAM)
    trace = os.path.join(out, "nested.json")
    r = subprocess.run([sys.executable, "-m", "viztracer", "--quiet", "-o", trace, program], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"viztracer failed: {r.stderr.strip()}")
    return trace


def canvas_pixel(driver, x, y):
    """The canvas's [r, g, b] at CSS pixel (x, y) of the view."""
    return driver.execute_script("""
        const c = document.getElementById('chart'), dpr = c.width / c.getBoundingClientRect().width;
        return Array.from(c.getContext('2d').getImageData(Math.floor(arguments[0] * dpr), Math.floor(arguments[1] * dpr), 1, 1).data.slice(0, 3));""",
        x, y)


def check_nested(driver, deep_html, flat_html, all_html, screenshot_dir):
    """A trace of nested calls: a row is as many lines tall as its nesting levels (at --depth 1, 4 and 16),
    each span is drawn on its level's line, hovering a deep span names it, and the legend says how many
    spans were folded."""
    load(driver, flat_html)
    flat = driver.execute_script("return window.lanesReport.rowLines()")
    load(driver, deep_html)
    check(console_errors(driver) == [], "nested: no console error")
    rows = driver.execute_script("return window.lanesReport.rowLines()")
    deep = max(rows, key=lambda r: r["levels"])
    check(deep["levels"] == 4 and all(r["levels"] == 1 for r in flat),
          f"nested: the deepest row shows {deep['levels']} lines at --depth 4, rows show 1 at --depth 1")
    # Height grows with the levels, as the PNG's rows do: 22 px, and 16 px per further level.
    by_row = {(r["run"], r["row"]): r for r in flat}
    grows = all(r["h"] - by_row[(r["run"], r["row"])]["h"] == 16 * (r["levels"] - 1) for r in rows)
    check(grows and deep["h"] > by_row[(deep["run"], deep["row"])]["h"],
          f"nested: a row's height grows with its levels ({by_row[(deep['run'], deep['row'])]['h']} px at 1 level, "
          f"{deep['h']} px at {deep['levels']})")
    notes = driver.execute_script("return window.lanesReport.legendNotes()")
    check(any(re.match(r"\d+ spans nested deeper than 4 levels drawn on their row's last level", n) for n in notes),
          f"nested: the legend says spans were folded ({notes})")
    # With room for every level (--depth 16) nothing is folded: the widest span of each level, each drawn
    # on its own line inside the row, in its colour (spans of one level do not overlap there).
    load(driver, all_html)
    rows = driver.execute_script("return window.lanesReport.rowLines()")
    deep = max(rows, key=lambda r: r["levels"])
    notes = driver.execute_script("return window.lanesReport.legendNotes()")
    check(deep["levels"] >= 8 and deep["h"] == 22 + 16 * (deep["levels"] - 1) and notes == [],
          f"nested: at --depth 16 the deepest row shows all its {deep['levels']} levels in {deep['h']} px, none folded")
    spans = driver.execute_script("""
        const r = window.lanesReport, out = {};
        for (let k = 0; k < r.spanCount(); k++) {
          const p = r.spanPixel(k, 0), level = r.spanLevel(k, 0);
          if (p === null || p.width < 12) continue;
          if (!(level in out) || out[level].p.width < p.width) out[level] = { k, p, color: r.spanColor(k, 0), name: r.spanName(k, 0) };
        }
        return out;""")
    levels = sorted(int(level) for level in spans)
    ys = [spans[str(level)]["p"]["y"] for level in levels]
    check(len(levels) >= 8 and levels == list(range(len(levels))) and ys == sorted(ys) and len(set(round(y) for y in ys)) == len(levels)
          and all(deep["y"] <= y < deep["y"] + deep["h"] for y in ys),
          f"nested: spans are drawn on {len(levels)} lines of one row (levels {levels}, middles at y {[round(y) for y in ys]})")
    drawn = []
    for level in levels:
        sp = spans[str(level)]
        p = sp["p"]
        rgb = canvas_pixel(driver, p["x"] - p["width"] / 2 + 2.5, p["y"])
        want = [int(sp["color"][i:i + 2], 16) for i in (1, 3, 5)]
        drawn.append(all(abs(a - b) <= 2 for a, b in zip(rgb, want)))
    check(all(drawn), f"nested: the canvas shows each level's span in its colour at its line ({drawn})")
    # Hover on the deepest line names the span drawn there.
    last = spans[str(levels[-1])]
    first, _ = hover_span(driver, last["k"])
    check(first == last["name"], f"nested: hovering a span on line {levels[-1] + 1} shows {first!r}, expected {last['name']!r}")
    # Zoom and search still work on a page of nested rows.
    before = driver.execute_script("return window.lanesReport.visibleRange()")
    driver.find_element(By.ID, "chart").send_keys("+")
    time.sleep(0.05)
    after = driver.execute_script("return window.lanesReport.visibleRange()")
    check(after[1] - after[0] < before[1] - before[0], "nested: the + key zooms in")
    driver.find_element(By.ID, "chart").send_keys("0")
    box = driver.find_element(By.ID, "search")
    box.send_keys("leaf")
    time.sleep(0.1)
    count = driver.find_element(By.ID, "match-count").get_attribute("data-count")
    check(count == "4", f"nested: search finds the 4 calls of leaf ({count})")
    box.clear()
    if screenshot_dir:
        driver.save_screenshot(os.path.join(screenshot_dir, "nested-depth16.png"))
    check(console_errors(driver) == [], "nested: still no console error after interaction")


def check_task_threads(driver, path, screenshot_dir):
    """A task lane's slice names, on hover, the OS thread it ran on (the thread lane's name and its tid)."""
    load(driver, path)
    check(console_errors(driver) == [], "tasks: no console error")
    found = driver.execute_script("""
        const r = window.lanesReport, out = [];
        for (let ri = 0; ri < r.runCount(); ri++) for (let k = 0; k < r.spanCount() && out.length < 400; k++) {
          const s = r.spanThread(k, ri);
          if (s && s.kind === 'task') out.push([ri, k, s.tid, s.threadName]);
        }
        return out;""")
    check(len(found) > 0, f"tasks: the trace has {len(found)} task slices (first 400)")
    named = [f for f in found if f[3]]
    check(len(named) > 0, f"tasks: {len(named)} of them ran on a thread the trace names")
    shown = None
    for ri, k, tid, thread in (named or found)[:50]:
        driver.execute_script("window.scrollTo(0, 0)")
        if driver.execute_script("return window.lanesReport.spanPixel(arguments[0], arguments[1])", k, ri) is None:
            continue
        first, p = hover_span(driver, k, ri)
        if first is None:
            continue
        lines = driver.execute_script(
            "return [...document.getElementById('tooltip').querySelectorAll('div')].map((d) => d.textContent)")
        want = f"ran on thread: {thread} (tid {tid})" if thread else f"ran on thread: tid {tid}"
        shown = (want, lines)
        break
    check(shown is not None and shown[0] in shown[1],
          f"tasks: hovering a task slice shows the thread it ran on ({shown and shown[0]!r} in {shown and shown[1]})")
    if screenshot_dir:
        driver.save_screenshot(os.path.join(screenshot_dir, "tasks-hover.png"))


def write_many_lanes_trace(path, processes=20, threads=100, spans=10):
    """processes × threads lanes, far more rows than a canvas could be tall; returns (spans, last span's name)."""
    events = []
    for p in range(processes):
        events.append({"ph": "M", "name": "process_name", "pid": 100 + p, "tid": 1, "args": {"name": f"proc-{p}"}})
        for t in range(threads):
            tid = 1000 * (p + 1) + t
            events.append({"ph": "M", "name": "thread_name", "pid": 100 + p, "tid": tid, "args": {"name": f"t-{p}-{t}"}})
            for k in range(spans):
                events.append({"ph": "X", "name": f"job-{p}-{t}" if k == 0 else "work", "pid": 100 + p, "tid": tid,
                               "ts": k * 100 + t, "dur": 80})
    with open(path, "w") as f:
        json.dump({"traceEvents": events}, f)
    return processes * threads * spans, f"job-{processes - 1}-{threads - 1}"


def check_many_lanes(driver, path, spans, last_name, screenshot_dir):
    """Thousands of rows: the canvas stays as tall as the view, and a row at the bottom can be scrolled to and hovered."""
    load(driver, path)
    check(console_errors(driver) == [], "lanes-2000: no console error")
    check(driver.execute_script("return window.lanesReport.spanCount()") == spans, f"lanes-2000: the page shows {spans} spans")
    view = driver.execute_script("return document.getElementById('chart').getBoundingClientRect().height")
    content = driver.execute_script("return window.lanesReport.canvasHeight()")
    check(content > 40000 and view <= driver.execute_script("return window.innerHeight"),
          f"lanes-2000: {content} px of rows shown through a {view:.0f} px canvas")
    driver.execute_script("const t = document.getElementById('timeline'); t.scrollTop = t.scrollHeight;")
    time.sleep(0.2)
    k = driver.execute_script("return window.lanesReport.findSpan(arguments[0])", last_name)
    first, p = hover_span(driver, k)
    check(first == last_name, f"lanes-2000: after scrolling to the bottom, hovering the last row shows {first!r}")
    if screenshot_dir:
        driver.save_screenshot(os.path.join(screenshot_dir, "lanes-2000-bottom.png"))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(os.path.dirname(here))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lanes", default=os.path.join(root, ".build", "debug", "lanes"))
    ap.add_argument("--out", default="/tmp/lanes-html-check")
    ap.add_argument("--demo-page", action="append", default=[], metavar="PATH",
                    help="check only this multi-scenario page (lanes demo's index.html); may be repeated")
    args = ap.parse_args()
    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    if args.demo_page:
        driver = make_driver()
        try:
            for page in args.demo_page:
                if not os.path.isfile(page):
                    sys.exit(f"--demo-page {page}: no such file")
                check_demo_page(driver, page, screenshot_dir=out)
        finally:
            driver.quit()
        print(f"screenshots in {out}")
        if failures:
            print(f"{len(failures)} check(s) failed", file=sys.stderr)
            sys.exit(1)
        print("all demo page checks passed")
        return
    binary = os.path.abspath(args.lanes)

    # Real traces: the sample (threads, queue, lock, sleeps, sampled CPU) and two models of cpu-primes.
    sample = os.path.join(out, "sample.lanes")
    lanes(binary, "sample", "--out", sample, "--cpu", "sampled")
    runs = os.path.join(out, "runs")
    os.makedirs(runs, exist_ok=True)
    lanes(binary, "run", "cpu-primes", "--model", "sequential", "threads", "--scale", "0.2", "--out", runs)
    traces = sorted(os.path.join(runs, f) for f in os.listdir(runs) if f.endswith(".lanes"))
    xss = os.path.join(out, "xss.json")
    xss_spans, xss_counts = write_xss_trace(xss)

    pages = []
    for name, trace in [("sample", sample), ("xss", xss)] + [(os.path.basename(t)[:-6], t) for t in traces]:
        html = os.path.join(out, name + ".html")
        lanes(binary, "report", trace, "--html", html)
        pages.append((name, html, trace_span_count(binary, trace)))
    compare = os.path.join(out, "compare.html")
    lanes(binary, "compare", *traces, "--html", compare)
    pages.append(("compare", compare, sum(trace_span_count(binary, t) for t in traces)))

    nested = write_nested_trace(out)
    nested_html, nested_flat_html = os.path.join(out, "nested.html"), os.path.join(out, "nested-depth1.html")
    nested_all_html = os.path.join(out, "nested-depth16.html")
    lanes(binary, "report", nested, "--html", nested_html)
    lanes(binary, "report", nested, "--html", nested_flat_html, "--depth", "1")
    lanes(binary, "report", nested, "--html", nested_all_html, "--depth", "16")
    pages.append(("nested", nested_html, trace_span_count(binary, nested)))
    tasks_dir = os.path.join(out, "tasks")
    os.makedirs(tasks_dir, exist_ok=True)
    lanes(binary, "run", "fire-and-forget", "--model", "async", "--out", tasks_dir)
    tasks = [os.path.join(tasks_dir, f) for f in sorted(os.listdir(tasks_dir)) if f.endswith(".lanes")][0]
    tasks_html = os.path.join(out, "tasks.html")
    lanes(binary, "report", tasks, "--html", tasks_html)

    many = os.path.join(out, "lanes-2000.json")
    many_spans, many_last = write_many_lanes_trace(many)
    lanes(binary, "report", many, "--html", os.path.join(out, "lanes-2000.html"))

    driver = make_driver()
    try:
        check_many_lanes(driver, os.path.join(out, "lanes-2000.html"), many_spans, many_last, out)
        check_nested(driver, nested_html, nested_flat_html, nested_all_html, out)
        check_task_threads(driver, tasks_html, out)
        for name, html, spans in pages:
            check_page(driver, name, html, spans, known=XSS_NAMES[0] if name == "xss" else None, screenshot_dir=out)

        # The probe page: no alert, no script of the trace ran, nothing injected, names shown as text.
        load(driver, os.path.join(out, "xss.html"))
        try:
            text = driver.switch_to.alert.text
            check(False, f"xss: no alert (saw {text!r})")
        except NoAlertPresentException:
            check(True, "xss: no alert")
        check(driver.execute_script("return window.__xss === undefined"), "xss: no script from the trace ran")
        check(driver.execute_script("return document.querySelectorAll('img:not(#png), svg, iframe').length") == 0,
              "xss: no element injected")
        check(driver.execute_script("return document.scripts.length") == 3,
              "xss: only the page's three script elements (data, contract, code)")
        cells = driver.execute_script("return [...document.querySelectorAll('#stats-name td:first-child')].map(e => e.textContent)")
        check(all(n in cells for n in XSS_NAMES), "xss: every hostile name is shown as text in the statistics")
        box = driver.find_element(By.ID, "search")
        box.send_keys("<script>")
        time.sleep(0.1)
        count = driver.find_element(By.ID, "match-count").get_attribute("data-count")
        check(count == str(xss_counts[XSS_NAMES[1]]), f"xss: search counts {count} spans named <script>…")
        first, _ = hover_span(driver, driver.execute_script("return window.lanesReport.findSpan(arguments[0])", XSS_NAMES[1]))
        check(first == XSS_NAMES[1], "xss: the tooltip shows the hostile name as text")
        driver.save_screenshot(os.path.join(out, "xss-search.png"))
        check(console_errors(driver) == [], "xss: no console error")

        # A comparison page shows the per-model table.
        load(driver, compare)
        rows = driver.execute_script("return document.querySelectorAll('#comparison tr').length")
        check(rows == len(traces) + 1, f"compare: the per-model table has {len(traces)} rows")
        driver.save_screenshot(os.path.join(out, "compare-full.png"))
    finally:
        driver.quit()

    print(f"screenshots in {out}")
    if failures:
        print(f"{len(failures)} check(s) failed", file=sys.stderr)
        sys.exit(1)
    print("all browser checks passed")


if __name__ == "__main__":
    main()
