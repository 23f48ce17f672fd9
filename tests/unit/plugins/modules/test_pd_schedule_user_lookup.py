"""Users by email and by id in as few requests as the account allows (PagerDuty.require_users, users_by_id)."""

import pytest
from pd_runs import seed, users

from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput

ADA = "ada@example.com"
GRACE = "grace@example.com"


def seed_users(pagerduty, count, extra=()):
    people = users(*([("User %04d" % number, "user%04d@example.com" % number) for number in range(count)] + list(extra)))
    ids = seed(pagerduty, users=people)["users"]
    pagerduty.clear_log()
    return dict(zip([user["email"] for user in people], ids))


def gets(pagerduty):
    return [(entry["path"], entry["query"]) for entry in pagerduty.requests()]


def test_a_small_account_is_read_in_one_page(pagerduty, pd_api):
    ids = seed_users(pagerduty, 5, [("Ada Lovelace", ADA), ("Grace Hopper", GRACE)])
    found = pd_api.require_users([ADA, "Grace@Example.com", ADA])
    assert sorted(found) == [ADA, GRACE]
    assert found[ADA]["id"] == ids[ADA]
    assert len(pagerduty.requests()) == 1
    # everyone that page brought is known for the rest of the run
    assert pd_api.users_by_id([ids["user0003@example.com"], ids[GRACE]])[ids[GRACE]]["email"] == GRACE
    assert pd_api.require_user("user0001@example.com")["id"] == ids["user0001@example.com"]
    assert len(pagerduty.requests()) == 1


def test_unknown_emails_are_named_together(pagerduty, pd_api):
    seed_users(pagerduty, 2, [("Ada Lovelace", ADA)])
    with pytest.raises(InvalidInput, match=r"No PagerDuty user has the email 'ghost@example.com', 'nobody@example.com'"):
        pd_api.require_users([ADA, "nobody@example.com", "ghost@example.com"])


def test_a_large_account_looks_up_few_users_one_by_one(pagerduty, pd_api):
    ids = seed_users(pagerduty, 450, [("Zoe Ada", ADA), ("Zoe Grace", GRACE)])  # listed by name: on the last page
    found = pd_api.require_users([ADA, GRACE])
    assert found[GRACE]["id"] == ids[GRACE]
    log = gets(pagerduty)
    # one page (with the total), then two lookups by email rather than four more pages
    assert len(log) == 3
    assert log[0][1]["total"] == "true"
    assert [query.get("query") for _path, query in log[1:]] == [ADA, GRACE]


def test_a_large_account_pages_on_when_that_is_cheaper(pagerduty, pd_api):
    ids = seed_users(pagerduty, 250)
    wanted = ["user%04d@example.com" % number for number in (5, 120, 130, 140, 240)]
    found = pd_api.require_users(wanted)
    assert [found[email]["id"] for email in wanted] == [ids[email] for email in wanted]
    assert len(pagerduty.requests()) == 3
    assert all(path == "/users" and "query" not in query for path, query in gets(pagerduty))


def test_users_by_id_skips_ids_nobody_has(pagerduty, pd_api):
    ids = seed_users(pagerduty, 2, [("Ada Lovelace", ADA)])
    found = pd_api.users_by_id([ids[ADA], "PNOBODY"])
    assert list(found) == [ids[ADA]]
