"""The benchmark behind `make bench`: incident.ops against community.general and Ansible's per-task floor.

It starts the simulators with injected latency, runs every scenario's
variants interleaved (run 1 of each variant, then run 2 of each...), and
keeps for each run the wall time, the CPU time of the ansible-playbook
process tree, the requests the PagerDuty simulator logged and the machine's
load average.  It writes docs/performance.json (every run) and
docs/performance.md (medians, a PNG plot, how to reproduce).

Usage (tests/ci/pipeline.sh bench runs it on a copy of the collection):

    python harness.py --collections <dir holding ansible_collections> --ours-venv .venv \
        --cg-venv .venv-bench-cg --out docs

BENCH_QUICK=1 makes a reduced pass (one run, small sizes) to check the harness.
"""

import argparse
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
TOKEN_HEADER = "Authorization"


# ------------------------------------------------------------------ the simulators

def free_base_port(count=12):
    """A base port whose next ``count`` ports are free."""
    for unused in range(50):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            base = sock.getsockname()[1]
        if base + count < 65000 and all(port_free(base + offset) for offset in range(1, count)):
            return base
    raise SystemExit("no free block of ports for the simulators")


def port_free(port):
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class Simulators:
    """``python -m simulators serve`` with latency and seeded users; the PagerDuty control API."""

    def __init__(self, python, latency_ms, seed_users, attempts=3):
        self.seed_users = seed_users
        for attempt in range(attempts):
            # Another run on the machine may take a port between the check and the bind: try another block.
            errors = tempfile.TemporaryFile(mode="w+")
            self.process = subprocess.Popen(
                [python, "-m", "simulators", "serve", "--base-port", str(free_base_port()), "--latency-ms", str(latency_ms),
                 "--seed-users", str(seed_users)],
                cwd=TESTS, stdout=subprocess.PIPE, stderr=errors, text=True)
            line = self.process.stdout.readline()
            if line:
                break
            self.process.wait()
            errors.seek(0)
            sys.stderr.write("the simulators did not start (attempt %d): %s\n" % (attempt + 1, errors.read()[-2000:]))
        else:
            raise SystemExit("the simulators did not start")
        self.connection = json.loads(line)
        self.pagerduty = self.connection["pagerduty"]
        self.control = self.pagerduty["api_url"] + "/_sim"
        self.bare_get_refused = self.refuses_bare_get()

    def call(self, method, action, body=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.control + "/" + action, data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=600) as answer:
            text = answer.read()
        return json.loads(text) if text else None

    def reset(self, users=(), teams=(), rate_limit=0):
        self.call("PUT", "settings", {"rate_limit": rate_limit})
        self.call("POST", "reset")
        if users or teams:
            self.call("POST", "seed", {"users": [dict(user, type="user") for user in users],
                                       "teams": [{"type": "team", "name": name} for name in teams]})
        self.call("DELETE", "requests")

    def requests(self):
        return self.call("GET", "requests")["requests"]

    def refuses_bare_get(self):
        """True for a simulator that refuses a GET without Content-Type, which PagerDuty answers."""
        request = urllib.request.Request(self.pagerduty["api_url"] + "/users?limit=1", headers={
            "Authorization": "Token token=%s" % self.pagerduty["api_token"], "Accept": "application/vnd.pagerduty+json;version=2"})
        try:
            with urllib.request.urlopen(request, timeout=30):
                return False
        except urllib.error.HTTPError as error:
            return error.code == 400

    def stop(self):
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()


# ------------------------------------------------------------------ the playbooks

def people(count, sort="first", prefix="bench"):
    """Target users whose names sort before ("Aaa...") or after ("Zzz...") the seeded "Generated User" ones."""
    lead = "Aaa" if sort == "first" else "Zzz"
    return [{"name": "%s Bench %04d" % (lead, number), "email": "%s%04d@example.com" % (prefix, number), "role": "user"}
            for number in range(count)]


PLAYS = {
    "ping": """
- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.ping:
      loop: "{{ bench_users }}"
""",
    "ours_loop": """
- hosts: localhost
  gather_facts: false
  tasks:
    - incident.ops.pd_user:
        api_url: "{{ pagerduty.api_url }}"
        api_token: "{{ pagerduty.api_token }}"
        from_email: "{{ pagerduty.from_email }}"
        email: "{{ item.email }}"
        name: "{{ item.name }}"
        role: user
      loop: "{{ bench_users }}"
""",
    "ours_bulk": """
- hosts: localhost
  gather_facts: false
  tasks:
    - incident.ops.pd_users:
        api_url: "{{ pagerduty.api_url }}"
        api_token: "{{ pagerduty.api_token }}"
        from_email: "{{ pagerduty.from_email }}"
        users: "{{ bench_users }}"
""",
    "cg_loop": """
- hosts: localhost
  gather_facts: false
  tasks:
    - community.general.pagerduty_user:
        access_token: "{{ pagerduty.api_token }}"
        pd_user: "{{ item.name }}"
        pd_email: "{{ item.email }}"
        pd_role: manager
        pd_teams: []
      loop: "{{ bench_users }}"
""",
    "onboard": """
- hosts: localhost
  gather_facts: false
  module_defaults:
    group/incident.ops.pagerduty: "{{ pagerduty }}"
  roles:
    - role: incident.ops.onboard_team
      vars:
        onboard_team_name: Bench Team
        onboard_team_members: "{{ bench_members }}"
""",
}

# community.general is routed to the simulator without touching its code: this file, first on the
# play's PYTHONPATH, points pdpyras's APISession at the simulator when (and only when) a process imports it.
SITECUSTOMIZE = '''
import importlib.abc
import os
import sys


class _Route(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name != "pdpyras":
            return None
        sys.meta_path.remove(self)
        import importlib.util
        spec = importlib.util.find_spec(name)
        loader = spec.loader
        original = loader.exec_module

        def exec_module(module):
            original(module)
            module.APISession.url = os.environ["BENCH_PAGERDUTY_URL"]
            if os.environ.get("BENCH_GET_CONTENT_TYPE"):
                # Only for a simulator that still refuses a GET without Content-Type (PagerDuty answers it).
                init = module.APISession.__init__

                def with_content_type(self, *args, **kwargs):
                    init(self, *args, **kwargs)
                    self.headers["Content-Type"] = "application/json"

                module.APISession.__init__ = with_content_type

        loader.exec_module = exec_module
        return spec


if os.environ.get("BENCH_PAGERDUTY_URL"):
    sys.meta_path.insert(0, _Route())
'''


class Runner:
    """Runs one playbook and measures it."""

    def __init__(self, args, work):
        self.args = args
        self.work = work
        os.makedirs(os.path.join(work, "route"), exist_ok=True)
        with open(os.path.join(work, "route", "sitecustomize.py"), "w") as handle:
            handle.write(SITECUSTOMIZE)

    def venv_for(self, variant):
        return self.args.cg_venv if variant.startswith("cg") else self.args.ours_venv

    def run(self, sims, variant, extra_vars, forks=5):
        venv = self.venv_for(variant)
        play = os.path.join(self.work, variant + ".yml")
        with open(play, "w") as handle:
            handle.write(PLAYS[variant.split(":")[0]])
        inventory = os.path.join(self.work, "inventory-%s.ini" % os.path.basename(venv))
        with open(inventory, "w") as handle:
            handle.write("localhost ansible_connection=local ansible_python_interpreter=%s\n" % os.path.join(venv, "bin", "python"))
        values = os.path.join(self.work, "vars.json")
        with open(values, "w") as handle:
            json.dump(dict(extra_vars, pagerduty=sims.pagerduty), handle)
        env = dict(os.environ, ANSIBLE_NOCOLOR="1", ANSIBLE_FORKS=str(forks), ANSIBLE_HOST_KEY_CHECKING="0",
                   ANSIBLE_LOCAL_TEMP=os.path.join(self.work, "tmp"), ANSIBLE_REMOTE_TMP=os.path.join(self.work, "remote"))
        if variant.startswith("cg"):
            env.update(BENCH_PAGERDUTY_URL=sims.pagerduty["api_url"], PYTHONPATH=os.path.join(self.work, "route"))
            if sims.bare_get_refused:
                env["BENCH_GET_CONTENT_TYPE"] = "1"
            env.pop("ANSIBLE_COLLECTIONS_PATH", None)
        else:
            env.update(ANSIBLE_COLLECTIONS_PATH=self.args.collections, ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false")
        sims.call("DELETE", "requests")
        load = os.getloadavg()
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.monotonic()
        done = subprocess.run([os.path.join(venv, "bin", "ansible-playbook"), "-i", inventory, play, "-e", "@" + values],
                              cwd=self.work, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False)
        wall = time.monotonic() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        log = sims.requests() if variant != "ping" else []
        recap = re.search(r"localhost\s+: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", done.stdout)
        if done.returncode != 0 or not recap:
            sys.stderr.write(done.stdout[-3000:])
        return {
            "wall_s": round(wall, 3),
            "cpu_s": round((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), 3),
            "requests": len(log),
            "requests_429": sum(1 for entry in log if entry["status"] == 429),
            "changed": int(recap.group(2)) if recap else None,
            "failed": int(recap.group(4)) if recap else None,
            "rc": done.returncode,
            "load_1m": round(load[0], 2),
        }


# ------------------------------------------------------------------ the scenarios

def median_of(runs, key):
    values = [run[key] for run in runs if run.get(key) is not None]
    return round(statistics.median(values), 3) if values else None


def summarise(name, runs, objects, **extra):
    row = {"variant": name, "runs": len(runs), "objects": objects}
    for key in ("wall_s", "cpu_s", "requests", "requests_429", "changed", "failed", "load_1m"):
        row[key] = median_of(runs, key)
    row["requests_per_object"] = round(row["requests"] / objects, 2) if objects else None
    row["failed_max"] = max((run.get("failed") or 0) for run in runs) if runs else None
    row.update(extra)
    row["all_runs"] = runs
    return row


def interleaved(runner, sims, variants, repeats):
    """variants: name -> (prepare(), extra_vars, objects); returns name -> runs, run i of every variant before run i+1."""
    runs = dict((name, []) for name in variants)
    for unused in range(repeats):
        for name, (prepare, extra_vars, unused_objects) in variants.items():
            prepare()
            runs[name].append(runner.run(sims, name, extra_vars))
            print("  %-22s %s" % (name, json.dumps(runs[name][-1])), flush=True)
    return [summarise(name, runs[name], variants[name][2]) for name in variants]


def rerun_variants(sims, count, sort, names=("ping", "ours_loop", "ours_bulk", "cg_loop")):
    users = people(count, sort)

    def prepare():
        sims.reset(users=users)  # the same state before every run

    return dict((name, (prepare, {"bench_users": users}, count)) for name in names)


def scenario_rerun(runner, sims, cfg):
    print("scenario 1: re-run of %d users, %d seeded" % (cfg["users"], sims.seed_users), flush=True)
    variants = rerun_variants(sims, cfg["users"], "first")
    variants["cg_loop:first"] = variants.pop("cg_loop")
    last = people(cfg["cg_last_users"], "last")
    variants["cg_loop:last"] = (lambda: sims.reset(users=last), {"bench_users": last}, cfg["cg_last_users"])
    rows = interleaved(runner, sims, variants, cfg["runs"])
    ping = next(row for row in rows if row["variant"] == "ping")
    for row in rows:
        row["cpu_per_object_s"] = round(row["cpu_s"] / row["objects"], 4)
        row["cpu_per_object_above_ping_s"] = round((row["cpu_s"] - ping["cpu_s"]) / row["objects"], 4) if row["objects"] == ping["objects"] else None
    return rows


def scenario_first_run(runner, sims, cfg):
    """Users that do not exist yet: each variant creates them, on the same seeded account every run."""
    print("scenario 1b: first run of %d users, %d seeded" % (cfg["users"], sims.seed_users), flush=True)
    users = people(cfg["users"], "first", prefix="new")
    variants = dict((name, (sims.reset, {"bench_users": users}, cfg["users"])) for name in ("ours_loop", "ours_bulk"))
    return interleaved(runner, sims, variants, cfg["runs"])


def scenario_growth(runner, args, cfg):
    rows = []
    for size in cfg["sizes"]:
        print("scenario 2: growth, %d seeded" % size, flush=True)
        sims = Simulators(args.ours_venv + "/bin/python", cfg["latency_ms"], size)
        try:
            variants = rerun_variants(sims, cfg["growth_users"], "last", names=("ours_loop", "ours_bulk", "cg_loop"))
            for row in interleaved(runner, sims, variants, cfg["growth_runs"]):
                row["seeded"] = size
                rows.append(row)
        finally:
            sims.stop()
    return rows


def scenario_onboard(runner, sims, cfg):
    print("scenario 3: onboard_team of %d on %d seeded" % (cfg["team"], sims.seed_users), flush=True)
    members = [dict(person, on_call=index < 4, team_role="manager" if index < 2 else "responder")
               for index, person in enumerate(people(cfg["team"], "first", prefix="member"))]
    first, rerun = [], []
    for unused in range(cfg["runs"]):
        sims.reset()
        first.append(runner.run(sims, "onboard", {"bench_members": members}))
        print("  onboard first  %s" % json.dumps(first[-1]), flush=True)
        rerun.append(runner.run(sims, "onboard", {"bench_members": members}))
        print("  onboard re-run %s" % json.dumps(rerun[-1]), flush=True)
    return [summarise("onboard_team first run", first, cfg["team"]), summarise("onboard_team re-run", rerun, cfg["team"])]


def scenario_rate_limit(runner, sims, cfg):
    print("scenario 4: %d users created under a 960/minute limit" % cfg["rate_users"], flush=True)
    users = people(cfg["rate_users"], "first", prefix="rl")
    runs = []
    for unused in range(cfg["rate_runs"]):
        sims.reset(rate_limit=960)
        runs.append(runner.run(sims, "ours_bulk", {"bench_users": users}))
        print("  %s" % json.dumps(runs[-1]), flush=True)
    sims.reset()
    row = summarise("ours_bulk first run, rate limited", runs, cfg["rate_users"])
    row["floor_s"] = round(row["requests"] / 16.0, 1)
    row["against_floor"] = round(row["wall_s"] / row["floor_s"], 3) if row["floor_s"] else None
    return [row]


def import_cost(python, module, pythonpath, repeats):
    """The import's total from ``-X importtime`` and the CPU seconds of a process that imports it, medians."""
    totals, cpus = [], []
    env = dict(os.environ, PYTHONPATH=pythonpath)
    for unused in range(repeats):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        done = subprocess.run([python, "-X", "importtime", "-c", "import %s" % module], env=env, stderr=subprocess.PIPE,
                              stdout=subprocess.DEVNULL, text=True, check=True)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
        last = [line for line in done.stderr.splitlines() if re.search(r"\|\s*%s$" % re.escape(module), line)]
        totals.append(int(last[-1].split("|")[1]) / 1e6 if last else None)
    return round(statistics.median(totals), 4), round(statistics.median(cpus), 4)


def scenario_startup(runner, sims, args, cfg):
    print("scenario 5: start-up", flush=True)
    rows = []
    cg_site = subprocess.run([args.cg_venv + "/bin/python", "-c", "import ansible_collections, os; print(os.path.dirname(ansible_collections.__path__[0]))"],
                             stdout=subprocess.PIPE, text=True, check=True).stdout.strip()
    cases = [
        ("ansible.builtin.ping", args.ours_venv, "ansible.modules.ping", "", "ping"),
        ("incident.ops.pd_user", args.ours_venv, "ansible_collections.incident.ops.plugins.modules.pd_user", args.collections, "ours_loop"),
        ("incident.ops.pd_users", args.ours_venv, "ansible_collections.incident.ops.plugins.modules.pd_users", args.collections, "ours_bulk"),
        ("community.general.pagerduty_user", args.cg_venv, "ansible_collections.community.general.plugins.modules.pagerduty_user", cg_site, "cg_loop"),
    ]
    for name, venv, module, path, variant in cases:
        total, cpu = import_cost(venv + "/bin/python", module, path, cfg["import_repeats"])
        rows.append({"module": name, "importtime_s": total, "import_process_cpu_s": cpu,
                     "payload_bytes": payload_size(runner, sims, variant)})
    return rows


def payload_size(runner, sims, variant):
    """The size of the AnsiballZ file Ansible writes for the module (one task, remote files kept)."""
    remote = os.path.join(runner.work, "remote")
    shutil.rmtree(remote, ignore_errors=True)
    saved = os.environ.get("ANSIBLE_KEEP_REMOTE_FILES")
    os.environ["ANSIBLE_KEEP_REMOTE_FILES"] = "1"
    try:
        sims.reset(users=people(1))
        runner.run(sims, variant, {"bench_users": people(1)})
    finally:
        if saved is None:
            os.environ.pop("ANSIBLE_KEEP_REMOTE_FILES")
        else:
            os.environ["ANSIBLE_KEEP_REMOTE_FILES"] = saved
    sizes = [os.path.getsize(os.path.join(root, name)) for root, unused, names in os.walk(remote)
             for name in names if name.startswith("AnsiballZ_")]
    return max(sizes) if sizes else None


# ------------------------------------------------------------------ main

def config(quick):
    if quick:
        return {"latency_ms": 100, "seeded": 200, "users": 5, "cg_last_users": 2, "runs": 1, "sizes": [200], "growth_users": 2,
                "growth_runs": 1, "team": 5, "rate_users": 20, "rate_runs": 1, "import_repeats": 3}
    return {"latency_ms": 100, "seeded": 2000, "users": 50, "cg_last_users": 10, "runs": 3, "sizes": [200, 2000, 20000],
            "growth_users": 5, "growth_runs": 3, "team": 50, "rate_users": 1000, "rate_runs": 3, "import_repeats": 7}


def versions(args):
    def ask(python, code):
        return subprocess.run([python, "-c", code], stdout=subprocess.PIPE, text=True, check=True).stdout.strip()
    cg = args.cg_venv + "/bin/python"
    return {
        "ansible_core_ours": ask(args.ours_venv + "/bin/python", "import ansible; print(ansible.__version__)"),
        "ansible_core_cg": ask(cg, "import ansible; print(ansible.__version__)"),
        "community_general": ask(cg, "import json, ansible_collections.community.general as c, os; "
                                     "print(json.load(open(os.path.join(c.__path__[0], 'MANIFEST.json')))['collection_info']['version'])"),
        "pdpyras": ask(cg, "import pdpyras; print(pdpyras.__version__)"),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
    }


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--collections", required=True, help="the directory that holds ansible_collections/incident/ops")
    parser.add_argument("--ours-venv", required=True)
    parser.add_argument("--cg-venv", required=True)
    parser.add_argument("--out", required=True, help="where performance.md, .json and .png go")
    parser.add_argument("--only", default="", help="comma-separated scenarios: rerun,first,growth,onboard,rate,startup")
    args = parser.parse_args(argv)
    quick = os.environ.get("BENCH_QUICK") == "1"
    cfg = config(quick)
    if os.environ.get("BENCH_RUNS"):
        cfg["runs"] = cfg["growth_runs"] = cfg["rate_runs"] = int(os.environ["BENCH_RUNS"])
    wanted = set(filter(None, args.only.split(","))) or {"rerun", "first", "growth", "onboard", "rate", "startup"}
    work = tempfile.mkdtemp(prefix="incident-ops-bench.")
    runner = Runner(args, work)
    result = {"quick": quick, "content_type_shim": None, "config": cfg, "versions": versions(args),
              "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "load_before": [round(value, 2) for value in os.getloadavg()], "scenarios": {}}
    try:
        sims = Simulators(args.ours_venv + "/bin/python", cfg["latency_ms"], cfg["seeded"])
        result["content_type_shim"] = sims.bare_get_refused
        try:
            if "startup" in wanted:
                result["scenarios"]["startup"] = scenario_startup(runner, sims, args, cfg)
            if "rerun" in wanted:
                result["scenarios"]["rerun"] = scenario_rerun(runner, sims, cfg)
            if "first" in wanted:
                result["scenarios"]["first_run"] = scenario_first_run(runner, sims, cfg)
            if "onboard" in wanted:
                result["scenarios"]["onboard"] = scenario_onboard(runner, sims, cfg)
            if "rate" in wanted:
                result["scenarios"]["rate_limit"] = scenario_rate_limit(runner, sims, cfg)
        finally:
            sims.stop()
        if "growth" in wanted:
            result["scenarios"]["growth"] = scenario_growth(runner, args, cfg)
    except (Exception, SystemExit) as error:  # pylint: disable=broad-except
        # What was measured is kept: the scenarios done so far are written, and the failure named.
        result["error"] = "%s: %s" % (type(error).__name__, error)
        sys.stderr.write("the bench stopped: %s\n" % result["error"])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    result["finished"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    earlier = os.path.join(args.out, "performance.json")
    if args.only and os.path.exists(earlier):
        # A partial pass replaces its own scenarios and keeps the others' results (with their dates in runs_of).
        with open(earlier) as handle:
            kept = json.load(handle)
        if kept.get("quick") == quick:
            runs_of = kept.get("runs_of", {})
            for name in kept["scenarios"]:
                runs_of.setdefault(name, {"started": kept["started"], "load_before": kept["load_before"]})
            for name in result["scenarios"]:
                runs_of[name] = {"started": result["started"], "load_before": result["load_before"]}
            kept["scenarios"].update(result["scenarios"])
            kept["runs_of"] = runs_of
            kept["finished"], kept["load_after"] = result["finished"], [round(value, 2) for value in os.getloadavg()]
            result = kept
    result.setdefault("load_after", [round(value, 2) for value in os.getloadavg()])
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "performance.json"), "w") as handle:
        json.dump(result, handle, indent=1, sort_keys=True)
        handle.write("\n")
    from report import write_report  # pylint: disable=import-outside-toplevel
    write_report(result, args.out)
    print("wrote %s" % ", ".join(os.path.join(args.out, name) for name in ("performance.json", "performance.md", "performance.png")))
    return 1 if result.get("error") else 0


if __name__ == "__main__":
    sys.exit(main())
