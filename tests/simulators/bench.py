"""``python -m simulators bench``: how many simple GETs per second each simulator answers.

One keep-alive client per service, one service at a time, for a fixed time;
a measurement to read, not a pass/fail test.
"""

from __future__ import annotations

import json
import time

import requests

from .stack import start_stack


def requests_per_second(session, url, seconds, headers=None):
    count = 0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        response = session.get(url, headers=headers, timeout=10)
        response.raise_for_status()
        count += 1
    return count / (time.perf_counter() - started)


def probes(connection):
    """One simple, authenticated GET per service, as its modules would send it."""
    pagerduty = connection["pagerduty"]
    pd_headers = {"Authorization": "Token token=" + pagerduty["api_token"], "Content-Type": "application/json",
                  "Accept": "application/vnd.pagerduty+json;version=2"}
    admin = requests.get(pagerduty["api_url"] + "/users", params={"query": pagerduty["from_email"]}, headers=pd_headers,
                         timeout=10).json()["users"][0]
    oncall = connection["oncall"]
    login = requests.post(oncall["auth_url"] + "/v1/auth", json={"email": oncall["email"], "password": oncall["password"]}, timeout=10)
    oncall_headers = {"Authorization": "Bearer " + login.json()["token"]}
    tickets = connection["tickets"]
    return {
        "pagerduty GET /users/{id}": (pagerduty["api_url"] + "/users/" + admin["id"], pd_headers),
        "tickets GET /users": (tickets["url"] + "/users", {"Authorization": "Bearer " + tickets["api_token"]}),
        "oncall GET /v1/customer/{id}/schedule": (
            oncall["query_url"] + "/v1/customer/%s/schedule" % connection["oncall_seed"]["customer_id"], oncall_headers),
    }


def bench(seconds=3.0):
    with start_stack(base_port=0) as stack:
        results = {}
        for name, (url, headers) in probes(stack.connection()).items():
            with requests.Session() as session:
                requests_per_second(session, url, 0.3, headers)  # warm up the connection and the caches
                results[name] = round(requests_per_second(session, url, seconds, headers))
    return results


def main(seconds):
    print(json.dumps({"requests_per_second": bench(seconds), "seconds_each": seconds}, indent=2))
    return 0
