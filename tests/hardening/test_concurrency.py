"""Ten runs converging the same 100 objects at the same moment: no duplicate, no failure, and then nothing to do.

Each kind of object is a row of ``KINDS``: the module, the task that names
object ``i``, and how to count the objects of that name in the simulator. Ten
threads (as ten forks of one play would) call the module's ``run()`` for every
object in the same order, released together, so that every create races nine
others. Every call must end ok or changed; each object must then exist once;
and one more pass must change nothing.

The same race then runs through ansible-playbook itself: ten local hosts with
``forks=10`` converge the same few objects of each kind (each task a module
process, so a hundred objects per host would take many minutes on a small
machine; the threads above cover the hundred).
"""

import importlib
import re
import threading
import time
from collections import Counter

import pytest
import requests
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

FORKS = 10
OBJECTS = 100
CUSTOMER = "c03b02ec-244f-4d2c-8f68-3910071ed5c8"
TEAM = "445a5c1f-c0eb-403a-96d7-3976e5dc74ed"
MEMBERS = ("avery@example.com", "blake@example.com", "casey@example.com")
TICKET = dict(description="Raised by the concurrency test", organisation_id="ORG-12333", contract_id="CON-123562", tenant_id="123",
              reporter_id="USR-12453", attributes={"preferred_contact_method": "email"}, dedupe_by_title=True)


def day(index):
    """Consecutive days from 2030-01-01: entry ``i`` covers day ``i`` alone, so no two entries overlap."""
    return time.strftime("%Y-%m-%d", time.gmtime(time.mktime((2030, 1, 1 + index, 12, 0, 0, 0, 0, 0))))


def users(stack):
    return Counter(user["email"] for user in stack.simulators["pagerduty"].users.values())


def teams(stack):
    return Counter(team["name"] for team in stack.simulators["pagerduty"].teams.values())


def tickets(stack):
    return Counter(ticket["title"] for ticket in stack.simulators["tickets"].tickets.values())


def entries(stack):
    store = stack.simulators["oncall_query"].store
    with store.lock:
        stored = [entry for team in store.entries.values() for entry in team]
    return Counter((entry["team_member_id"], entry["start_date"]) for entry in stored)


# module: (the task for object i, its service, the objects by key in the simulator, the key of object i)
KINDS = {
    "pd_user": (lambda i: dict(email="racer%d@example.com" % i, name="Racer %d" % i), "pagerduty", users,
                lambda i, seed: "racer%d@example.com" % i),
    "pd_team": (lambda i: dict(name="Race team %d" % i), "pagerduty", teams, lambda i, seed: "Race team %d" % i),
    "ticket": (lambda i: dict(TICKET, title="Race ticket %d" % i), "tickets", tickets, lambda i, seed: "Race ticket %d" % i),
    "oncall_schedule": (lambda i: dict(customer_id=CUSTOMER, team_id=TEAM, team_member_email=MEMBERS[i % 3], start_date=day(i),
                                       end_date=day(i + 1), week_days=[0, 1, 2, 3, 4, 5, 6], start_time="09:00:00",
                                       end_time="17:00:00"), "oncall", entries,
                        lambda i, seed: (seed["team_member_ids"][i % 3], day(i) + "T00:00:00Z")),
}


# Where each kind's creates go: (server, method, path pattern); more creates than objects prove the forks raced.
CREATES = {"pd_user": ("pagerduty", "POST", r"^/users$"), "pd_team": ("pagerduty", "POST", r"^/teams$"),
           "ticket": ("tickets", "POST", r"^/api/tickets$"), "oncall_schedule": ("oncall_command", "POST", r"/schedule$")}


def creates(stack, name):
    server, method, pattern = CREATES[name]
    log = requests.get(stack.url(server) + "/_sim/requests", timeout=10).json()["requests"]
    return len([entry for entry in log if entry["method"] == method and re.search(pattern, entry["path"])])


class _Module:
    """What ``connect()`` and ``run()`` use of AnsibleModule, with Ansible's own argument validation."""

    def __init__(self, module, params):
        result = ArgumentSpecValidator(module.ARGUMENT_SPEC).validate(params)
        assert not result.error_messages, result.error_messages
        self.params = result.validated_parameters
        self.check_mode = False

    def fail_json(self, msg, **kwargs):
        raise AssertionError(msg)


def converge(name, connection, index):
    """One task: ``(changed, error)``; an error is any exception, as it would fail the task."""
    module = importlib.import_module("ansible_collections.incident.ops.plugins.modules." + name)
    task, service = KINDS[name][0](index), KINDS[name][1]
    params = dict((key, value) for key, value in connection[service].items() if key in module.ARGUMENT_SPEC)
    params.update(task)
    try:
        fake = _Module(module, params)
        return module.run(fake, module.connect(fake))[0], None
    except Exception as error:  # pylint: disable=broad-except
        return None, "%s: %s" % (type(error).__name__, error)


def race(name, connection):
    """Every fork converges every object, in the same order, all forks released at once; returns each call's outcome."""
    start = threading.Barrier(FORKS)
    outcomes = [[] for unused in range(FORKS)]

    def fork(number):
        start.wait()
        for index in range(OBJECTS):
            outcomes[number].append((index,) + converge(name, connection, index))

    threads = [threading.Thread(target=fork, args=(number,)) for number in range(FORKS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return [outcome for fork_outcomes in outcomes for outcome in fork_outcomes]


@pytest.mark.parametrize("name", sorted(KINDS))
def test_ten_forks_converge_the_same_objects_once(stack, name):
    connection = stack.connection()
    started = time.monotonic()
    outcomes = race(name, connection)
    raced = time.monotonic() - started
    failures = [(index, error) for index, unused, error in outcomes if error]
    assert failures == [], failures[:5]
    created = Counter(index for index, changed, unused in outcomes if changed)
    assert sorted(created) == list(range(OBJECTS)), "every object was changed by at least one fork"

    sent = creates(stack, name)
    assert sent > OBJECTS, "the forks raced: more creates were sent than there are objects"
    counts = KINDS[name][2](stack)
    assert [key for key, count in counts.items() if count > 1] == []
    assert [index for index in range(OBJECTS) if counts[KINDS[name][3](index, connection["oncall_seed"])] != 1] == []

    started = time.monotonic()
    again = [converge(name, connection, index) for index in range(OBJECTS)]
    assert [(index, error) for index, (unused, error) in enumerate(again) if error] == []
    assert [index for index, (changed, unused) in enumerate(again) if changed] == []
    print("%s: %d calls by %d forks in %.1f s, %d creates sent for %d objects, no duplicate; second pass (%.1f s) changed "
          "nothing" % (name, len(outcomes), FORKS, raced, sent, OBJECTS, time.monotonic() - started))


PLAYBOOK_HOSTS = ["fork%02d" % number for number in range(FORKS)]
PLAYBOOK_OBJECTS = 2


def test_ten_forks_of_a_real_play_converge_the_same_objects_once(stack, playbook):
    """The same race through ansible-playbook: ten local hosts, forks=10, each converging the same objects."""
    variables = dict(stack.connection(), objects=PLAYBOOK_OBJECTS)
    started = time.monotonic()
    first = playbook("concurrency.yml", variables, hosts=PLAYBOOK_HOSTS, forks=FORKS)
    raced = time.monotonic() - started
    assert sorted(first.recap) == PLAYBOOK_HOSTS, first.output[-4000:]
    assert [host for host, recap in first.recap.items() if recap["failed"] or recap["unreachable"]] == [], first.output[-6000:]
    connection = stack.connection()
    for name in KINDS:
        counts = KINDS[name][2](stack)
        keys = [KINDS[name][3](index, connection["oncall_seed"]) for index in range(PLAYBOOK_OBJECTS)]
        assert [key for key in keys if counts[key] != 1] == [], name
    started = time.monotonic()
    second = playbook("concurrency.yml", variables, hosts=PLAYBOOK_HOSTS[:1], forks=FORKS)
    assert second.recap[PLAYBOOK_HOSTS[0]]["changed"] == 0 and second.recap[PLAYBOOK_HOSTS[0]]["failed"] == 0, second.output[-4000:]
    print("ansible-playbook, %d hosts with forks=%d, %d objects of each kind: %.1f s; the next run (%.1f s) changed nothing" % (
        FORKS, FORKS, PLAYBOOK_OBJECTS, raced, time.monotonic() - started))
