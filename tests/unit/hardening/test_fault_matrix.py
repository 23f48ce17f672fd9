"""The fault matrix: every module against every fault the simulators inject, and the table docs/reliability.md shows.

Each cell runs the module's ``main()`` once with the fault on the request the
module depends on (a write module's create, an info module's main read) and
must end in one of two ways:

* converged: the run succeeded, and a write module's object exists exactly once;
* failed cleanly: ``fail_json`` naming the operation (``METHOD /path``) and,
  when the server answered, its HTTP status; no duplicate object; and a re-run
  without the fault converges.

Either way a further run reports no change, so nothing was left half-applied.
Any other exception is a traceback and fails the cell.

The table docs/reliability.md is this matrix's outcome.  The last test builds
it from the cells and compares it with the committed file; ``make reliability``
writes it (the test writes the file named by INCIDENT_OPS_RELIABILITY_OUT).
"""

import difflib
import os
import re
import time
from pathlib import Path

import pytest
import requests

from ansible_collections.incident.ops.plugins.module_utils import client, reconcile, timestamps

from fault_harness import Exited, Failed, Sleeper, clear_faults, faults_left, inject, operation, run_main, steady
from fault_modules import NOW, TARGETS, pd_account

RESET_SECONDS = 7
TABLE = Path(__file__).resolve().parents[3] / "docs" / "reliability.md"
OUT = "INCIDENT_OPS_RELIABILITY_OUT"


class Case:
    """One fault: what the simulator is told, the module's timeout, and how much of a wait really passes."""

    def __init__(self, name, fault, status=None, timeout=5.0, cap=0.0):
        self.name = name
        self.fault = fault
        self.status = status
        self.timeout = timeout
        self.cap = cap


CASES = [
    Case("429 + Retry-After", dict(action="rate_limited", reset_header="Retry-After", reset_seconds=RESET_SECONDS), 429),
    Case("429 + ratelimit-reset", dict(action="rate_limited", reset_header="ratelimit-reset", reset_seconds=RESET_SECONDS), 429),
    Case("429, no reset header", dict(action="rate_limited", reset_header=None), 429),
    Case("500", dict(status=500), 500),
    Case("502", dict(status=502), 502),
    Case("503", dict(status=503), 503),
    Case("504", dict(status=504), 504),
    Case("slower than timeout", dict(action="delay", delay_ms=600), timeout=0.2, cap=0.5),
    Case("dropped connection", dict(action="drop")),
    Case("malformed JSON", dict(action="malformed", after_handling=True)),
    Case("token expired mid-run", dict(action="expire_token"), 401),
    Case("answer lost after the write", dict(action="drop", after_handling=True)),
]

OUTCOMES = {}


@pytest.fixture
def sims(pagerduty_server, pagerduty_events_server, itsm_server, tickets_server, oncall_servers):
    """Every simulator, by the name ``Target.service`` and ``Target.host`` use."""
    itsm = itsm_server[0]
    return {"pagerduty": pagerduty_server, "pagerduty_events": pagerduty_events_server, "itsm": itsm, "tickets": tickets_server,
            "oncall": oncall_servers, "oncall_command": oncall_servers.servers["command_url"],
            "oncall_query": oncall_servers.servers["query_url"], "itsm_settings": itsm_server[1]}


def host_url(sims, target):
    host = sims[target.host]
    return host.url


def host_simulator(sims, target):
    host = sims[target.host]
    return host.server.simulator if hasattr(host, "server") else host.simulator


def fresh(sims, target, monkeypatch):
    """The service's simulators reset, with the account the target needs; returns the task's parameters."""
    service = target.service
    params = dict(target.params)
    if service == "pagerduty":
        sims["pagerduty"].reset()
        sims["pagerduty"].server.simulator.frozen_now = NOW
        monkeypatch.setattr(timestamps, "now", lambda: NOW)
        routing_key = pd_account(sims)
        sims["pagerduty_events"].clear_log()
        params.update(sims["pagerduty"].options)
        if target.name == "pd_event":
            params.update(events_url=sims["pagerduty_events"].url, routing_key=routing_key)
    elif service == "itsm":
        sims["itsm"].reset()
        sims["itsm"].control("PUT", "settings", json=sims["itsm_settings"])
        params.update(sims["itsm"].options)
    elif service == "tickets":
        sims["tickets"].reset()
        sims["tickets"].control("PUT", "settings", json={"frozen_now": "2026-03-02T12:00:00Z", "single_ticket_as_list": False})
        params.update(sims["tickets"].options)
    else:
        sims["oncall"].reset()
        # Sign in with an email and a password, so that the token can expire mid-run and be renewed.
        params.update(dict(sims["oncall"].options, api_token=None))
    return params


def service_urls(sims):
    urls = [sims[key].url for key in ("pagerduty", "pagerduty_events", "itsm", "tickets")]
    return urls + [server.url for server in sims["oncall"].servers.values()]


def wait_for_late_answer(url, target, delay_ms, limit=5.0):
    """Wait until the server has carried out the request the client gave up on, so that it cannot land in the next cell."""
    pattern = re.compile(target.path)
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        log = requests.get(url + "/_sim/requests", timeout=5).json()["requests"]
        if any(entry["method"] == target.method and pattern.search(entry["path"]) and entry["latency_ms"] >= delay_ms
               for entry in log):
            return
        time.sleep(0.05)
    raise AssertionError("the late %s %s was never carried out" % (target.method, target.path))


def expected(target, case):
    """What the collection promises for this cell: "converged" or "failed"."""
    if case.status == 429:
        return "converged"  # the server refused before doing anything: any request may go again after the wait
    if case.status == 500:
        return "failed"  # an error the server chose to send: trying again would only repeat it
    if case.status == 401:
        renewable = target.service in ("itsm", "oncall")
        return "converged" if renewable else "failed"
    if target.idempotent or case.name == "slower than timeout" or case.fault.get("after_handling"):
        # Sent again when it may be; a create whose answer was lost or late is found by the lookups that follow it.
        return "converged"
    return "failed"  # a create the server never carried out, and whose answer said nothing: not sent twice


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
@pytest.mark.parametrize("target", TARGETS, ids=[target.name for target in TARGETS])
def test_fault(sims, target, case, monkeypatch):
    sleeper = Sleeper(cap=case.cap)
    original_init = client.Client.__init__

    def sleepy_init(self, *args, **kwargs):
        original_init(self, *args, **kwargs)
        self.sleep = sleeper

    monkeypatch.setattr(client.Client, "__init__", sleepy_init)
    monkeypatch.setattr(reconcile.Resource, "sleep", lambda self, seconds: sleeper(seconds))
    params = dict(fresh(sims, target, monkeypatch), timeout=case.timeout, max_retries=3)
    url = host_url(sims, target)
    inject(url, method=target.method, path=target.path, **case.fault)

    ending = run_main(target.module, params, monkeypatch)
    if case.fault.get("delay_ms"):
        wait_for_late_answer(url, target, case.fault["delay_ms"])

    assert faults_left(host_simulator(sims, target)) == 0, "the fault never hit %s %s; the run ended: %s" % (
        target.method, target.path, getattr(ending, "msg", None) or ending.result)
    clear_faults(url)
    if isinstance(ending, Exited):
        outcome = "converged"
        if target.writes:
            assert ending.result["changed"] is True
            assert target.count(sims) == 1, "the object exists exactly once"
        if case.fault.get("reset_header"):
            assert float(RESET_SECONDS) in sleeper.waits, "the wait the server asked for was kept"
    else:
        assert isinstance(ending, Failed)
        named = operation(ending.msg)
        assert named is not None, "the failure names the operation: %s" % ending.msg
        assert named[0] == target.method, ending.msg
        if case.status:
            assert named[2] == case.status and ending.result.get("status") == case.status, ending.msg
        if target.writes:
            assert target.count(sims) <= 1, "no duplicate object"
        outcome = "failed cleanly: " + steady(ending.msg, service_urls(sims))
        rerun = run_main(target.module, dict(params, timeout=5.0), monkeypatch)
        assert isinstance(rerun, Exited), "a re-run without the fault converges: %s" % getattr(rerun, "msg", "")
        if target.writes:
            assert target.count(sims) == 1
    if target.writes:
        again = run_main(target.module, dict(params, timeout=5.0), monkeypatch)
        assert isinstance(again, Exited) and again.result["changed"] is False, "nothing was left half-applied"
        assert target.count(sims) == 1
    OUTCOMES[(target.name, case.name)] = outcome
    assert outcome.split(" ")[0] == expected(target, case), outcome


def table():
    """docs/reliability.md, from the outcomes of the cells."""
    short = {"converged": "converged"}
    lines = [
        "# Reliability under faults",
        "",
        "<!-- Generated by tests/unit/hardening/test_fault_matrix.py; do not edit. Regenerate with `make reliability`. -->",
        "",
        "How every module ends when the service misbehaves once, on the request the module depends on (a write",
        "module's create, an info module's main read).  The simulators inject each fault; the test runs the module's",
        "`main()` with `max_retries: 3` (and `timeout: 0.2` for the slow case) and checks what it did:",
        "",
        "- **converged**: the run succeeded after the retry; a created object exists exactly once.",
        "- **failed**: a clean failure naming the operation and the status (messages below); the object exists at most",
        "  once, and a re-run converges.",
        "",
        "After either, one more run reports no change: nothing is left half-applied.  `make units` fails when this",
        "file no longer matches what the modules do.",
        "",
        "The cases: a 429 whose wait is in `Retry-After`, in `ratelimit-reset` or in no header; a 500, 502, 503 or 504",
        "before the server did anything; an answer 0.6 s late (the server carries the request out); the connection",
        "dropped before the server did anything; a body of malformed JSON, or no answer at all, after the server",
        "carried the request out; and the access token expired at that request (the ITSM desk's OAuth token and",
        "the on-call sign-in are renewed; PagerDuty's and the tickets service's fixed tokens cannot be).",
        "",
        "| module | " + " | ".join(case.name for case in CASES) + " |",
        "|---|" + "---|" * len(CASES),
    ]
    for target in TARGETS:
        cells = [OUTCOMES[(target.name, case.name)] for case in CASES]
        lines.append("| %s | %s |" % (target.name, " | ".join(short.get(cell, "failed") for cell in cells)))
    lines += ["", "## Failure messages", ""]
    for target in TARGETS:
        for case in CASES:
            cell = OUTCOMES[(target.name, case.name)]
            if cell != "converged":
                lines.append("- `%s`, %s: %s" % (target.name, case.name, cell[len("failed cleanly: "):].replace("|", "\\|")))
    converged = sum(1 for cell in OUTCOMES.values() if cell == "converged")
    lines += ["", "%d modules x %d cases: %d converged, %d failed cleanly." % (
        len(TARGETS), len(CASES), converged, len(OUTCOMES) - converged), ""]
    return "\n".join(lines)


def test_reliability_table_is_current():
    if len(OUTCOMES) != len(TARGETS) * len(CASES):
        pytest.skip("the table needs every cell of the matrix; %d of %d ran" % (len(OUTCOMES), len(TARGETS) * len(CASES)))
    generated = table()
    out = os.environ.get(OUT)
    if out:
        Path(out).write_text(generated, encoding="utf-8")
        return
    committed = TABLE.read_text(encoding="utf-8") if TABLE.exists() else ""
    if committed != generated:
        diff = "".join(difflib.unified_diff(committed.splitlines(True), generated.splitlines(True), "docs/reliability.md", "generated"))
        pytest.fail("docs/reliability.md does not match the fault matrix; run `make reliability` and commit it:\n" + diff)
