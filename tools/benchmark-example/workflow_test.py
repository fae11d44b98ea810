#!/usr/bin/env python3
"""Runs lanes-benchmarks.yml's run-steps offline, as GitHub Actions would, with a fake `gh` on PATH.

The steps that build Lanes and run the benchmarks are checked to say what they should, then stood in for by
traces made before (CI runs tools/benchmark-example/run.sh for real first); the compare, comment and fail
steps run as written. Checked: the one comment's body is the comparison `lanes compare` writes, it is posted
with --edit-last --create-if-none, and the job's status is `lanes compare`'s: 0 when nothing regressed, 3 when a
benchmark did (after the comment is posted), and an error's own status (with no comment).

Usage: workflow_test.py --lanes PATH --baseline TRACES_DIR --slow TRACES_DIR
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
WORKFLOW = os.path.join(HERE, "lanes-benchmarks.yml")
PR_NUMBER = "17"

FAKE_GH = r'''#!/usr/bin/env python3
import json, os, shutil, sys
log = os.environ["FAKE_GH_LOG"]
with open(log, "a") as f:
    f.write(json.dumps({"args": sys.argv[1:], "token": os.environ.get("GH_TOKEN"), "repo": os.environ.get("GH_REPO")}) + "\n")
args = sys.argv[1:]
if "--body-file" in args:
    shutil.copyfile(args[args.index("--body-file") + 1], log + ".body")
'''


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def expression(text, outputs):
    """The value of a `${{ }}` expression this workflow uses; anything else fails the test."""
    context = {
        "github.event.pull_request.number": PR_NUMBER,
        "github.event.pull_request.base.sha": "base-sha",
        "github.token": "fake-token",
        "github.repository": "example/project",
    }
    text = text.strip()
    if text in context:
        return context[text]
    m = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", text)
    if m:
        return outputs.get(m.group(1), {}).get(m.group(2), "")
    raise Failure(f"the test does not know the expression '{text}'")


def substitute(text, outputs):
    return re.sub(r"\$\{\{(.+?)\}\}", lambda m: expression(m.group(1), outputs), text)


def condition(text, outputs):
    m = re.fullmatch(r"\s*(.+?)\s*(==|!=)\s*'([^']*)'\s*", text)
    if not m:
        raise Failure(f"the test does not know the condition '{text}'")
    value = expression(m.group(1), outputs)
    return (value == m.group(3)) == (m.group(2) == "==")


def read_pairs(path):
    pairs = {}
    if os.path.exists(path):
        for line in open(path):
            if "=" in line:
                k, v = line.rstrip("\n").split("=", 1)
                pairs[k] = v
    return pairs


def run_job(workflow, lanes, baseline, candidate, work):
    """Runs the job; returns (exit status, names of the steps run, gh calls, the comment body or None)."""
    temp = os.path.join(work, "runner-temp")
    bin_dir = os.path.join(work, "bin")
    os.makedirs(temp)
    os.makedirs(bin_dir)
    gh = os.path.join(bin_dir, "gh")
    with open(gh, "w") as f:
        f.write(FAKE_GH)
    os.chmod(gh, 0o755)
    gh_log = os.path.join(work, "gh.log")
    github_env = os.path.join(work, "github_env")
    open(github_env, "w").close()

    env = dict(os.environ)
    env.update({k: str(v) for k, v in workflow.get("env", {}).items()})
    env.update(
        PATH=bin_dir + os.pathsep + env["PATH"], RUNNER_TEMP=temp, GITHUB_ENV=github_env, FAKE_GH_LOG=gh_log, CI="true")

    def stand_in(step_id, run):
        if step_id == "build":
            check("swift build -c release --product lanes" in run and "LANES=" in run, "the build step changed")
            env["LANES"] = os.path.abspath(lanes)
        elif step_id in ("base", "pr"):
            check(f'tools/benchmark-example/run.sh "$RUNNER_TEMP/{step_id}"' in run, f"the {step_id} step changed")
            shutil.copytree(baseline if step_id == "base" else candidate, os.path.join(temp, step_id, "traces"))

    steps = workflow["jobs"]["benchmarks"]["steps"]
    outputs, ran, status = {}, [], 0
    for step in steps:
        if "uses" in step:
            continue
        name = step.get("name", step.get("id", "?"))
        if status != 0 and "always()" not in step.get("if", ""):
            continue
        if "if" in step and not condition(step["if"], outputs):
            continue
        ran.append(name)
        step_id = step.get("id")
        if step_id in ("build", "base", "pr"):
            stand_in(step_id, step["run"])
            continue
        step_env = dict(env)
        step_env.update({k: substitute(str(v), outputs) for k, v in step.get("env", {}).items()})
        output_file = os.path.join(work, f"output-{len(ran)}")
        open(output_file, "w").close()
        step_env["GITHUB_OUTPUT"] = output_file
        # GitHub's default shell for `run`.
        result = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", substitute(step["run"], outputs)],
            env=step_env, cwd=ROOT)
        if step_id:
            outputs[step_id] = read_pairs(output_file)
        env.update(read_pairs(github_env))
        if result.returncode != 0:
            status = result.returncode
    calls = [json.loads(line) for line in open(gh_log)] if os.path.exists(gh_log) else []
    body = open(gh_log + ".body").read() if os.path.exists(gh_log + ".body") else None
    return status, ran, calls, body, temp


def expected_markdown(lanes, baseline, candidate, work):
    out = os.path.join(work, "expected.md")
    subprocess.run(
        [lanes, "compare", "--baseline", *sorted_traces(baseline), "--candidate", *sorted_traces(candidate),
         "--markdown", out], check=True, stderr=subprocess.DEVNULL)
    return open(out).read()


def sorted_traces(folder):
    return sorted(os.path.join(folder, f) for f in os.listdir(folder) if f.endswith(".lanes"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lanes", required=True)
    parser.add_argument("--baseline", required=True, help="a folder of traces from run.sh")
    parser.add_argument("--slow", required=True, help="the same benchmarks' traces with a slowdown")
    args = parser.parse_args()
    workflow = yaml.safe_load(open(WORKFLOW))
    names = [os.path.basename(p)[: -len(".lanes")] for p in sorted_traces(args.baseline)]
    check(names, f"no traces in {args.baseline}")
    failures = 0

    def case(title, candidate, want_status, want_comment):
        nonlocal failures
        with tempfile.TemporaryDirectory(prefix="lanes-workflow-") as work:
            try:
                status, ran, calls, body, temp = run_job(workflow, args.lanes, args.baseline, candidate, work)
                check(status == want_status, f"job status {status}, expected {want_status} (steps run: {ran})")
                if want_comment:
                    check(len(calls) == 1, f"gh was called {len(calls)} times: {calls}")
                    call = calls[0]
                    check(call["args"][:3] == ["pr", "comment", PR_NUMBER], f"gh arguments {call['args']}")
                    check("--edit-last" in call["args"] and "--create-if-none" in call["args"],
                          f"the comment is not edited in place: {call['args']}")
                    check(call["token"] == "fake-token" and call["repo"] == "example/project", f"gh env {call}")
                    comparison = open(os.path.join(temp, "comparison.md")).read()
                    check(comparison == expected_markdown(args.lanes, args.baseline, candidate, work),
                          "the workflow's comparison is not what lanes compare writes for these traces")
                    check(body is not None and body.endswith(comparison) and body.startswith("## Benchmarks"),
                          "the comment body is not the comparison")
                    for name in names:
                        check(name in body, f"the comment does not name benchmark {name}")
                else:
                    check(calls == [], f"gh was called: {calls}")
                print(f"ok: {title} (status {status}; steps: {', '.join(ran)})")
            except Failure as e:
                failures += 1
                print(f"FAILED: {title}: {e}")

    case("the same traces on both sides: comment, status 0", args.baseline, 0, True)
    case("a slower candidate: comment, then status 3", args.slow, 3, True)
    with tempfile.TemporaryDirectory(prefix="lanes-workflow-empty-") as empty:
        # No candidate traces: the shell passes the unmatched glob on, lanes compare fails to read it.
        case("no candidate traces: lanes compare's error status, no comment", empty, 1, False)
    print(f"{3 - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
