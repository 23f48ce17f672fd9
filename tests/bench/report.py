"""docs/performance.md and its plot, from the harness's result (docs/performance.json)."""

import os

REPRODUCE = """## How to reproduce

```
make bench                 # every scenario, 3 runs each (about 30 minutes on 2 cores)
BENCH_QUICK=1 make bench   # a reduced pass (1 run, small sizes) that checks the harness
BENCH_RUNS=5 make bench    # more runs per variant
BENCH_ONLY=rerun,startup make bench   # some scenarios only (rerun, first, growth, onboard, rate, startup)
```

`make bench` is not part of `make test`. It builds `.venv-bench-cg` (git-ignored) from
`tests/bench/requirements.txt` - community.general from PyPI (the `ansible` package) on the same
ansible-core as `.venv`, pdpyras, and matplotlib for the plot - copies the collection, starts the
simulators with `--latency-ms 100` and `--seed-users N`, and runs `tests/bench/harness.py`.
community.general is not changed: a `sitecustomize.py` on the play's `PYTHONPATH` sets
`pdpyras.APISession.url` to the simulator when a module imports pdpyras.

Each variant runs as its own `ansible-playbook` on localhost (local connection), runs of all variants
interleaved (run 1 of each, then run 2 of each...), and the table shows medians. Before every run
the simulator is reset to the same seeded account and its request log cleared. Measured per run:
wall time; CPU time (user + system) of the ansible-playbook process and every process it waited for
(workers, modules); the requests in the PagerDuty simulator's log; the 1-minute load average when the
run started. Timings on a shared machine move with its load: compare the variants of one table, which
ran interleaved under the same load, rather than tables of different runs.
"""


def fmt(value, digits=2):
    if value is None:
        return "-"
    if isinstance(value, float):
        return ("%%.%df" % digits) % value
    return str(value)


def table(rows, columns):
    lines = ["| " + " | ".join(title for title, unused in columns) + " |", "|" + "---|" * len(columns)]
    for row in rows:
        lines.append("| " + " | ".join(fmt(getter(row)) for unused, getter in columns) + " |")
    return "\n".join(lines)


LABELS = {
    "ping": "`ansible.builtin.ping` loop (the floor)",
    "ours_loop": "`incident.ops.pd_user` loop",
    "ours_bulk": "`incident.ops.pd_users`, one task",
    "cg_loop": "`community.general.pagerduty_user` loop",
    "cg_loop:first": "`community.general.pagerduty_user` loop, targets sort first",
    "cg_loop:last": "`community.general.pagerduty_user` loop, targets sort last",
}


def label(row):
    return LABELS.get(row["variant"], row["variant"])


RUN_COLUMNS = [
    ("variant", label),
    ("objects", lambda row: row["objects"]),
    ("wall s", lambda row: row["wall_s"]),
    ("wall s / object", lambda row: row["wall_s"] / row["objects"]),
    ("CPU s", lambda row: row["cpu_s"]),
    ("requests", lambda row: row["requests"]),
    ("requests / object", lambda row: row["requests_per_object"]),
    ("changed", lambda row: row["changed"]),
    ("failed", lambda row: row["failed_max"]),
    ("load (1 min)", lambda row: row["load_1m"]),
    ("runs", lambda row: row["runs"]),
]


def plot(result, out):
    """The growth plot: requests per user and wall time per user against account size, both modules."""
    rows = result["scenarios"].get("growth") or []
    if not rows:
        return None
    try:
        import matplotlib  # pylint: disable=import-outside-toplevel
        matplotlib.use("Agg")
        from matplotlib import pyplot  # pylint: disable=import-outside-toplevel
    except ImportError:
        return None
    figure, (left, right) = pyplot.subplots(1, 2, figsize=(10, 4))
    for variant in ("ours_loop", "ours_bulk", "cg_loop"):
        points = sorted((row["seeded"], row) for row in rows if row["variant"] == variant)
        if not points:
            continue
        sizes = [size for size, unused in points]
        left.plot(sizes, [row["requests_per_object"] for unused, row in points], marker="o", label=LABELS[variant].replace("`", ""))
        right.plot(sizes, [row["wall_s"] / row["objects"] for unused, row in points], marker="o", label=LABELS[variant].replace("`", ""))
    for axis, title in ((left, "requests per user"), (right, "wall seconds per user")):
        axis.set_xscale("log")
        axis.set_xlabel("users in the account")
        axis.set_title(title)
        axis.grid(True, alpha=0.3)
    left.set_yscale("log")
    right.legend(fontsize=7)
    figure.suptitle("Re-run of users that sort last, 100 ms per request")
    figure.tight_layout()
    path = os.path.join(out, "performance.png")
    figure.savefig(path, dpi=90)
    return path


def write_report(result, out):
    scenarios = result["scenarios"]
    versions = result["versions"]
    cfg = result["config"]
    parts = ["# Performance",
             "",
             "Measured with `make bench` (%s) from %s to %s UTC; load average before %s, after %s, on a %d-CPU machine "
             "that other work shared (see each row's load). Simulator latency %d ms per request."
             % ("reduced pass, BENCH_QUICK=1" if result["quick"] else "full pass", result["started"], result["finished"],
                ", ".join(map(str, result["load_before"])), ", ".join(map(str, result["load_after"])), versions["cpus"], cfg["latency_ms"]),
             "",
             "ansible-core %s for incident.ops and %s for community.general %s (pdpyras %s), Python %s."
             % (versions["ansible_core_ours"], versions["ansible_core_cg"], versions["community_general"], versions["pdpyras"],
                versions["python"]),
             ""]
    for name, when in sorted(result.get("runs_of", {}).items()):
        parts.append("- scenario `%s` measured from %s UTC, load average before it %s%s" % (
            name, when["started"], ", ".join(map(str, when["load_before"])),
            " (from the run log of a pass that stopped before writing its results)" if when.get("from_log") else ""))
    if result.get("runs_of"):
        parts.append("")
    if result.get("error"):
        parts += ["**The pass stopped early** (%s): the scenarios below are those it finished." % result["error"], ""]
    if result.get("content_type_shim"):
        parts += ["The simulator of this run still refused a GET without `Content-Type`, which PagerDuty answers, so the "
                  "bench's `sitecustomize.py` also gave pdpyras's session a `Content-Type: application/json` header; "
                  "it changes no request count or timing.", ""]
    if "rerun" in scenarios:
        parts += ["## 1. Re-run: these users exist (%d seeded users)" % cfg["seeded"], "",
                  table(scenarios["rerun"], RUN_COLUMNS + [("CPU s / object above ping", lambda row: row.get("cpu_per_object_above_ping_s"))]),
                  ""]
    if "first_run" in scenarios:
        parts += ["## 1b. First run: %d users created (%d seeded)" % (cfg["users"], cfg["seeded"]), "",
                  table(scenarios["first_run"], RUN_COLUMNS), ""]
    if "growth" in scenarios:
        parts += ["## 2. Growth: the same re-run as the account grows (targets sort last)", "",
                  table(scenarios["growth"], [("seeded", lambda row: row["seeded"])] + RUN_COLUMNS), "",
                  result.get("growth_note", ""), "",
                  "![requests and wall time per user against account size](performance.png)", ""]
    if "onboard" in scenarios:
        parts += ["## 3. `onboard_team`: a %d-person team on a %d-user account" % (cfg["team"], cfg["seeded"]), "",
                  table(scenarios["onboard"], RUN_COLUMNS), ""]
    if "rate_limit" in scenarios:
        parts += ["## 4. Rate limit: %d users created, the simulator enforcing 960 requests a minute" % cfg["rate_users"], "",
                  table(scenarios["rate_limit"], RUN_COLUMNS + [("429s", lambda row: row["requests_429"]),
                                                                ("floor s (requests / 16)", lambda row: row["floor_s"]),
                                                                ("wall / floor", lambda row: row["against_floor"])]), ""]
    if "startup" in scenarios:
        parts += ["## 5. Start-up", "",
                  table(scenarios["startup"], [("module", lambda row: "`%s`" % row["module"]),
                                               ("import time s (-X importtime)", lambda row: row["importtime_s"]),
                                               ("CPU s of a process that imports it", lambda row: row["import_process_cpu_s"]),
                                               ("AnsiballZ payload bytes", lambda row: row["payload_bytes"])]), ""]
    notes = os.path.join(os.path.dirname(os.path.abspath(__file__)), "findings.md")
    if os.path.exists(notes):
        with open(notes) as handle:
            parts += [handle.read().strip(), ""]
    parts.append(REPRODUCE)
    plot(result, out)
    with open(os.path.join(out, "performance.md"), "w") as handle:
        handle.write("\n".join(parts))
