#!/bin/sh
# Records every program here with each recorder option the Python tests cover, into OUT (default: ./traces).
#   record.sh [OUT] [program ...]
# Recorders: viz (VizTracer), viz-async (--log_async), viz-noc (--ignore_c_function),
#            spy-idle (py-spy --idle), spy-gil (py-spy --gil), spy-sub (py-spy --subprocesses).
# py-spy needs ptrace rights (root, or kernel.yama.ptrace_scope=0).
set -u
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/traces}
[ $# -gt 0 ] && shift
programs=${*:-"sleepers aio_semaphore blocked_loop lock_threads prodcons cpu_threads process_pool run_in_executor hot_loop"}
mkdir -p "$out"
for p in $programs; do
    src=$here/$p.py
    viztracer --quiet -o "$out/$p.viz.json" "$src" >/dev/null
    viztracer --quiet --log_async -o "$out/$p.viz-async.json" "$src" >/dev/null
    viztracer --quiet --ignore_c_function -o "$out/$p.viz-noc.json" "$src" >/dev/null
    py-spy record --nonblocking --threads -r 200 --idle -f chrometrace -o "$out/$p.spy-idle.json" -- python3 "$src" >/dev/null 2>&1
    py-spy record --nonblocking --threads -r 200 --gil -f chrometrace -o "$out/$p.spy-gil.json" -- python3 "$src" >/dev/null 2>&1
    py-spy record --nonblocking --threads -r 200 --idle --subprocesses -f chrometrace -o "$out/$p.spy-sub.json" -- python3 "$src" >/dev/null 2>&1
done
