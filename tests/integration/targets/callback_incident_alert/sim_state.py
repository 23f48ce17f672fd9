# Copyright: incident.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""Set up and read the simulators around the callback's runs (a playbook per check would triple the target's time).

    python sim_state.py CONFIG value SERVICE KEY          print one connection detail
    python sim_state.py CONFIG setup                      reset, seed the Checkout service, print its routing key
    python sim_state.py CONFIG check SERVICE OPEN TOTAL [CREATES]

``check`` asserts that SERVICE (pagerduty or itsm) holds OPEN open and TOTAL
incidents of nightly.yml, that none holds the no_log task's secret but they
list the other failures, and that the run made CREATES creates; then it
clears the request logs for the next run.
"""

import json
import re
import sys

import requests

SECRET = "S3cr3t-rotated-value"
TIMEOUT = 10
PD_OPEN = ("triggered", "acknowledged")
ITSM_OPEN = ("Open", "In Progress", "Pending")
CREATES = re.compile(r"^(/incidents|/api/v1/incident)$")


def pd_headers(config):
    return {"Authorization": "Token token=%s" % config["pagerduty"]["api_token"],
            "Accept": "application/vnd.pagerduty+json;version=2", "Content-Type": "application/json"}


def call(method, url, **kwargs):
    reply = requests.request(method, url, timeout=TIMEOUT, **kwargs)
    reply.raise_for_status()
    return reply.json() if reply.content else None


def setup(config):
    pagerduty = config["pagerduty"]["api_url"]
    for url in (pagerduty, config["itsm"]["url"]):
        call("POST", url + "/_sim/reset")
    call("DELETE", config["sim_control"]["pagerduty_events"] + "/requests")
    ada = {"type": "user", "name": "Ada Lovelace", "email": "ada@example.com"}
    users = call("POST", pagerduty + "/_sim/seed", json={"users": [ada]})["users"]
    policies = call("POST", pagerduty + "/_sim/seed", json={"escalation_policies": [{
        "type": "escalation_policy", "name": "Checkout EP",
        "escalation_rules": [{"escalation_delay_in_minutes": 10, "targets": [{"id": users[0], "type": "user_reference"}]}],
    }]})["escalation_policies"]
    services = call("POST", pagerduty + "/_sim/seed", json={"services": [{
        "type": "service", "name": "Checkout",
        "escalation_policy": {"id": policies[0], "type": "escalation_policy_reference"},
    }]})["services"]
    integration = call("POST", "%s/services/%s/integrations" % (pagerduty, services[0]), headers=pd_headers(config),
                       json={"integration": {"type": "events_api_v2_inbound_integration", "name": "Events"}})
    call("DELETE", config["sim_control"]["pagerduty"] + "/requests")
    print(integration["integration"]["integration_key"])


def pagerduty_incidents(config):
    """The playbook's incidents, and everything they say (their body and their alerts' details)."""
    url, headers = config["pagerduty"]["api_url"], pd_headers(config)
    found = [incident for incident in call("GET", url + "/incidents", headers=headers,
                                           params={"date_range": "all", "limit": 100})["incidents"]
             if "nightly.yml" in incident["title"]]
    alerts = [call("GET", "%s/incidents/%s/alerts" % (url, incident["id"]), headers=headers) for incident in found]
    return [incident["status"] for incident in found], json.dumps([found, alerts])


def itsm_incidents(config):
    listed = call("POST", config["itsm"]["url"] + "/api/v1/request/search/byqual", params={"offset": 0, "size": 100},
                  headers={"Authorization": "Apikey sim-itsm-api-key"}, json={"qualDetails": {}})["objectList"]
    found = [incident for incident in listed if "nightly.yml" in incident["subject"]]
    return [incident["status"] for incident in found], json.dumps(found)


def check(config, service, expect_open, expect_total, expect_creates=None):
    control = config["sim_control"]
    log = call("GET", control[service] + "/requests")["requests"] + call("GET", control["pagerduty_events"] + "/requests")["requests"]
    print("requests of the run: %d (%s)" % (len(log), ", ".join("%s %s" % (item["method"], item["path"]) for item in log)))
    statuses, text = pagerduty_incidents(config) if service == "pagerduty" else itsm_incidents(config)
    open_statuses = PD_OPEN if service == "pagerduty" else ITSM_OPEN
    problems = []
    if len(statuses) != int(expect_total):
        problems.append("%d incidents, expected %s" % (len(statuses), expect_total))
    if len([status for status in statuses if status in open_statuses]) != int(expect_open):
        problems.append("open incidents: %s, expected %s open" % (statuses, expect_open))
    if SECRET in text:
        problems.append("an incident holds the no_log task's secret")
    if "an ignored failure" in text:
        problems.append("an incident lists a failure of a task with ignore_errors")
    if statuses and not all(words in text for words in ("disk /var is 97% full", "output hidden", "Connection refused", "gone")):
        problems.append("the incident does not list every failure: %s" % text[:2000])
    creates = len([item for item in log if item["method"] == "POST" and CREATES.match(item["path"])])
    if expect_creates is not None and creates != int(expect_creates):
        problems.append("%d creates, expected %s" % (creates, expect_creates))
    for url in (control[service], control["pagerduty_events"]):
        call("DELETE", url + "/requests")
    if problems:
        raise SystemExit("FAILED: " + "; ".join(problems))
    print("%s: %d incidents (%s) as expected" % (service, len(statuses), ", ".join(statuses) or "none"))


def main(argv):
    with open(argv[0]) as handle:
        config = json.load(handle)
    command, args = argv[1], argv[2:]
    if command == "value":
        print(config[args[0]][args[1]])
    elif command == "setup":
        setup(config)
    elif command == "check":
        check(config, *args)
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
