"""The on-call schedule simulator: three hosts over one store, validation, overlaps, auth."""

import time

import pytest
import requests

from simulators.oncall import entries_overlap


@pytest.fixture
def seed(conn):
    return conn["oncall_seed"]


@pytest.fixture
def schedule_path(seed):
    return "/v1/team/%s/schedule" % seed["team_id"]


@pytest.fixture
def entry(seed):
    def build(member=0, **changes):
        body = {"team_member_id": seed["team_member_ids"][member], "start_date": "2024-01-01T00:00:00Z", "end_date": "2024-01-31T23:59:59Z",
                "months_of_year": [1], "weeks_of_month": [1], "week_days": [1], "start_time": "00:00:00", "end_time": "23:59:59"}
        body.update(changes)
        return body

    return build


def schedules(oncall_query, seed):
    reply = oncall_query.get("/v1/customer/%s/schedule" % seed["customer_id"])
    assert reply.status_code == 200, reply.text
    return reply.json()["schedules"]


def invalid_fields(reply):
    assert reply.status_code == 422, reply.text
    return {error["field"] for error in reply.json()["errors"]}


# Auth ---------------------------------------------------------------------------------


def test_sign_in_gives_a_token_for_the_other_hosts(conn, seed):
    options = conn["oncall"]
    reply = requests.post(options["auth_url"] + "/v1/auth", json={"email": options["email"], "password": options["password"]}, timeout=5)
    assert reply.status_code == 200
    token = reply.json()["token"]
    shown = requests.get(options["query_url"] + "/v1/customer/%s/schedule" % seed["customer_id"],
                         headers={"Authorization": "Bearer " + token}, timeout=5)
    assert shown.status_code == 200


def test_sign_in_refusals(conn):
    url = conn["oncall"]["auth_url"] + "/v1/auth"
    wrong = requests.post(url, json={"email": conn["oncall"]["email"], "password": "nope"}, timeout=5)
    assert wrong.status_code == 401 and "message" in wrong.json()
    assert requests.post(url, json={"email": "ghost@example.com", "password": "x"}, timeout=5).status_code == 401
    missing = requests.post(url, json={"email": conn["oncall"]["email"]}, timeout=5)
    assert missing.status_code == 422 and missing.json()["errors"] == [{"field": "password", "message": "is required and must be a string"}]


def test_static_api_token_works_and_bad_tokens_are_401(conn, seed):
    url = conn["oncall"]["query_url"] + "/v1/customer/%s/schedule" % seed["customer_id"]
    assert requests.get(url, headers={"Authorization": "Bearer " + conn["oncall"]["api_token"]}, timeout=5).status_code == 200
    bad = requests.get(url, headers={"Authorization": "Bearer nope"}, timeout=5)
    assert bad.status_code == 401 and bad.json() == {"message": "Unauthorized"}
    assert requests.get(url, timeout=5).status_code == 401
    command = requests.delete(conn["oncall"]["command_url"] + "/v1/team/%s/schedule" % seed["team_id"], timeout=5)
    assert command.status_code == 401


def test_signed_in_token_expires(conn, seed, control):
    control("oncall_auth").put("/settings", json={"token_ttl": 0.3})
    options = conn["oncall"]
    token = requests.post(options["auth_url"] + "/v1/auth", json={"email": options["email"], "password": options["password"]}, timeout=5).json()["token"]
    url = options["query_url"] + "/v1/customer/%s/schedule" % seed["customer_id"]
    assert requests.get(url, headers={"Authorization": "Bearer " + token}, timeout=5).status_code == 200
    time.sleep(0.4)
    assert requests.get(url, headers={"Authorization": "Bearer " + token}, timeout=5).status_code == 401
    assert control("oncall_query").get("/settings").json()["token_ttl"] == 0.3


def test_unknown_route_is_the_gateway_403(oncall_query, oncall_command, seed):
    reply = oncall_query.get("/v1/teams")
    assert reply.status_code == 403 and reply.json() == {"message": "Missing Authentication Token"}
    assert oncall_query.post("/v1/customer/%s/schedule" % seed["customer_id"], json={}).status_code == 403
    assert oncall_command.get("/v1/team/%s/schedule" % seed["team_id"]).status_code == 403


# Create, read, replace, delete ---------------------------------------------------------------


def test_create_then_read_on_the_query_host(oncall_command, oncall_query, seed, schedule_path, entry):
    reply = oncall_command.post(schedule_path, json=entry())
    assert reply.status_code == 201
    created = reply.json()["schedule"]
    assert reply.json()["message"] == "Schedule created"
    assert created["created_at"].endswith("Z") and created["team_id"] == seed["team_id"]
    assert schedules(oncall_query, seed) == [created]
    assert {key: created[key] for key in entry()} == entry()


def test_optional_fields_default_to_null(oncall_command, schedule_path, entry):
    body = {key: value for key, value in entry().items() if key not in ("start_date", "end_date", "months_of_year", "weeks_of_month")}
    created = oncall_command.post(schedule_path, json=body).json()["schedule"]
    assert created["start_date"] is None and created["months_of_year"] is None and created["weeks_of_month"] is None


def test_created_at_is_unique_and_increasing(oncall_command, schedule_path, entry):
    stamps = [oncall_command.post(schedule_path, json=entry(member=index, start_time="0%d:00:00" % index, end_time="0%d:30:00" % index)).json()
              ["schedule"]["created_at"] for index in range(3)]
    assert stamps == sorted(set(stamps))


def test_created_at_sent_on_create_is_ignored(oncall_command, schedule_path, entry):
    created = oncall_command.post(schedule_path, json=entry(created_at="2020-01-01T00:00:00Z")).json()["schedule"]
    assert created["created_at"] != "2020-01-01T00:00:00Z"


def test_replace_by_member_and_created_at(oncall_command, oncall_query, seed, schedule_path, entry):
    created = oncall_command.post(schedule_path, json=entry()).json()["schedule"]
    reply = oncall_command.put(schedule_path, json=entry(created_at=created["created_at"], week_days=[1, 2], start_time="08:00:00", end_time="17:00:00"))
    assert reply.status_code == 200 and reply.json()["message"] == "Schedule updated"
    [shown] = schedules(oncall_query, seed)
    assert shown["week_days"] == [1, 2] and shown["start_time"] == "08:00:00" and shown["created_at"] == created["created_at"]


def test_replace_needs_created_at_and_an_existing_entry(oncall_command, schedule_path, entry):
    created = oncall_command.post(schedule_path, json=entry()).json()["schedule"]
    assert invalid_fields(oncall_command.put(schedule_path, json=entry())) == {"created_at"}
    assert oncall_command.put(schedule_path, json=entry(created_at="2024-01-01T00:00:00Z")).status_code == 404
    assert oncall_command.put(schedule_path, json=entry(member=1, created_at=created["created_at"])).status_code == 404
    same_moment = created["created_at"].replace("Z", "+00:00")
    assert oncall_command.put(schedule_path, json=entry(created_at=same_moment)).status_code == 404


def test_delete_by_query_parameters(oncall_command, oncall_query, seed, schedule_path, entry):
    created = oncall_command.post(schedule_path, json=entry()).json()["schedule"]
    params = {"team_member_id": created["team_member_id"], "created_at": created["created_at"]}
    reply = oncall_command.delete(schedule_path, params=params)
    assert reply.status_code == 200 and reply.json() == {"message": "Schedule deleted"}
    assert schedules(oncall_query, seed) == []
    assert oncall_command.delete(schedule_path, params=params).status_code == 404
    assert invalid_fields(oncall_command.delete(schedule_path, params={"team_member_id": created["team_member_id"]})) == {"created_at"}


def test_unknown_team_or_customer_is_404(oncall_command, oncall_query, entry):
    unknown = "00000000-0000-4000-8000-000000000000"
    reply = oncall_command.post("/v1/team/%s/schedule" % unknown, json=entry())
    assert reply.status_code == 404 and reply.json() == {"message": "Team not found"}
    assert oncall_command.delete("/v1/team/%s/schedule" % unknown, params={"team_member_id": "x", "created_at": "y"}).status_code == 404
    assert oncall_query.get("/v1/customer/%s/schedule" % unknown).json() == {"message": "Customer not found"}


# Validation ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("changes, fields", [
    ({"team_member_id": None}, {"team_member_id"}),
    ({"team_member_id": "445a5c1f-c0eb-403a-96d7-3976e5dc74ed"}, {"team_member_id"}),
    ({"start_date": "01/01/2024"}, {"start_date"}),
    ({"end_date": "2024-02-30T00:00:00Z"}, {"end_date"}),
    ({"start_date": "2024-02-01T00:00:00Z"}, {"end_date"}),
    ({"months_of_year": [0, 13]}, {"months_of_year"}),
    ({"months_of_year": []}, {"months_of_year"}),
    ({"months_of_year": [1, 1]}, {"months_of_year"}),
    ({"weeks_of_month": [6]}, {"weeks_of_month"}),
    ({"weeks_of_month": [-2]}, {"weeks_of_month"}),
    ({"week_days": [7]}, {"week_days"}),
    ({"week_days": [True]}, {"week_days"}),
    ({"week_days": None}, {"week_days"}),
    ({"week_days": "1"}, {"week_days"}),
    ({"start_time": "24:00:00"}, {"start_time"}),
    ({"end_time": "17:00"}, {"end_time"}),
    ({"start_time": "18:00:00", "end_time": "09:00:00"}, {"end_time"}),
    ({"start_time": "09:00:00", "end_time": "09:00:00"}, {"end_time"}),
])
def test_each_invalid_field_is_named(oncall_command, schedule_path, entry, changes, fields):
    assert invalid_fields(oncall_command.post(schedule_path, json=entry(**changes))) == fields


def test_all_invalid_fields_are_listed_at_once(oncall_command, schedule_path):
    reply = oncall_command.post(schedule_path, json={"week_days": [9], "start_time": "x", "months_of_year": ["May"]})
    assert invalid_fields(reply) == {"team_member_id", "week_days", "start_time", "end_time", "months_of_year"}
    assert reply.json()["message"] == "Validation failed"


def test_iso_dates_with_offsets_and_last_week(oncall_command, schedule_path, entry):
    body = entry(start_date="2024-01-01", end_date="2024-06-30T23:59:59+02:00", weeks_of_month=[-1], week_days=[0, 6])
    assert oncall_command.post(schedule_path, json=body).status_code == 201


def test_body_must_be_an_object(oncall_command, schedule_path):
    assert invalid_fields(oncall_command.post(schedule_path, json=[1])) == {"body"}
    broken = oncall_command.post(schedule_path, data="{", headers={"Content-Type": "application/json"})
    assert broken.status_code == 400


# Overlaps ---------------------------------------------------------------------------------------------


def test_overlap_for_the_same_member_is_409(oncall_command, schedule_path, entry):
    assert oncall_command.post(schedule_path, json=entry(start_time="08:00:00", end_time="12:00:00")).status_code == 201
    clash = oncall_command.post(schedule_path, json=entry(start_time="11:00:00", end_time="13:00:00"))
    assert clash.status_code == 409 and "overlaps" in clash.json()["message"]
    assert oncall_command.post(schedule_path, json=entry(start_time="12:00:00", end_time="13:00:00")).status_code == 201
    assert oncall_command.post(schedule_path, json=entry(member=1, start_time="08:00:00", end_time="12:00:00")).status_code == 201


def test_replacing_an_entry_does_not_clash_with_itself_but_with_others(oncall_command, schedule_path, entry):
    first = oncall_command.post(schedule_path, json=entry(start_time="08:00:00", end_time="12:00:00")).json()["schedule"]
    oncall_command.post(schedule_path, json=entry(start_time="13:00:00", end_time="15:00:00"))
    assert oncall_command.put(schedule_path, json=entry(created_at=first["created_at"], start_time="07:00:00", end_time="12:30:00")).status_code == 200
    assert oncall_command.put(schedule_path, json=entry(created_at=first["created_at"], start_time="07:00:00", end_time="14:00:00")).status_code == 409


@pytest.mark.parametrize("first, second, overlapping", [
    ({}, {}, True),
    ({}, {"week_days": [2]}, False),
    ({}, {"months_of_year": [2]}, False),
    ({}, {"months_of_year": None}, True),
    ({}, {"weeks_of_month": [2]}, False),
    ({"weeks_of_month": [-1]}, {"weeks_of_month": [4]}, True),
    ({"weeks_of_month": [-1]}, {"weeks_of_month": [5]}, True),
    ({"weeks_of_month": [-1]}, {"weeks_of_month": [3]}, False),
    ({}, {"start_date": "2024-02-01T00:00:00Z", "end_date": "2024-03-01T00:00:00Z"}, False),
    ({}, {"start_date": None, "end_date": None}, True),
    ({"end_date": None}, {"start_date": "2030-01-01T00:00:00Z", "end_date": None}, True),
    ({}, {"start_time": "23:59:59", "end_time": "23:59:59"}, False),
])
def test_overlap_rule(entry, first, second, overlapping):
    assert entries_overlap(entry(**first), entry(**second)) is overlapping


def test_schedule_reads_every_team_of_the_customer(conn, control, oncall_command, oncall_query, seed, entry):
    other_team = "5f0c9d7e-1111-4222-8333-944455556666"
    member = "6a1b2c3d-4e5f-4a6b-8c7d-8e9f0a1b2c3d"
    control("oncall_command").post("/seed", json={"teams": [{"id": other_team, "customer_id": seed["customer_id"], "members": [{"id": member}]}]})
    oncall_command.post("/v1/team/%s/schedule" % seed["team_id"], json=entry())
    oncall_command.post("/v1/team/%s/schedule" % other_team, json=entry(team_member_id=member))
    assert {item["team_id"] for item in schedules(oncall_query, seed)} == {seed["team_id"], other_team}
    assert conn["oncall_seed"]["team_member_ids"][0] not in [item["team_member_id"] for item in schedules(oncall_query, seed)
                                                             if item["team_id"] == other_team]


def test_reset_on_one_host_clears_the_shared_store(conn, oncall_command, oncall_query, seed, schedule_path, entry, control):
    oncall_command.post(schedule_path, json=entry())
    control("oncall_query").post("/reset")
    assert oncall_query.get("/v1/customer/%s/schedule" % seed["customer_id"]).status_code == 401
    oncall_query.session.headers["Authorization"] = "Bearer " + conn["oncall"]["api_token"]
    assert schedules(oncall_query, seed) == []


def test_rate_limit_is_the_gateway_429(oncall_query, seed, control):
    control("oncall_query").put("/settings", json={"rate_limit": 1})
    schedules(oncall_query, seed)
    limited = oncall_query.get("/v1/customer/%s/schedule" % seed["customer_id"])
    assert limited.status_code == 429 and limited.json() == {"message": "Too Many Requests"} and "Retry-After" in limited.headers


# The customer service: teams and members ---------------------------------------------------------


def test_teams_of_the_callers_customer(oncall_customer, seed):
    reply = oncall_customer.get("/v1/teams")
    assert reply.status_code == 200
    assert reply.json() == [{"team_id": seed["team_id"], "name": "Platform On-Call", "member_count": 3, "created_at": "2024-01-02T09:30:00Z"}]


def test_members_carry_their_customer_id_as_their_id(oncall_customer, seed):
    members = oncall_customer.get("/v1/team/%s/members" % seed["team_id"]).json()
    assert sorted(member["customer_id"] for member in members) == sorted(seed["team_member_ids"])
    assert {member["email"]: member["role"] for member in members} == {
        "avery@example.com": "manager", "blake@example.com": "user", "casey@example.com": "user"}
    assert set(members[0]) == {"customer_id", "email", "name", "role"}


def test_members_of_an_unknown_or_foreign_team_are_404(conn, oncall_customer, control):
    other = {"id": "11111111-1111-4111-8111-111111111111", "customer_id": "22222222-2222-4222-8222-222222222222", "name": "Other",
             "members": [{"id": "33333333-3333-4333-8333-333333333333", "email": "x@example.com", "name": "X"}]}
    control("oncall_customer").post("/seed", json={"customers": [{"id": other["customer_id"]}], "teams": [other]})
    reply = oncall_customer.get("/v1/team/%s/members" % other["id"])
    assert reply.status_code == 404 and reply.json() == {"message": "Team not found"}
    assert len(oncall_customer.get("/v1/teams").json()) == 1
    token = requests.get(conn["oncall"]["customer_url"] + "/v1/teams", headers={"Authorization": "Bearer nope"}, timeout=5)
    assert token.status_code == 401


def test_customer_host_serves_only_teams(oncall_customer, seed):
    assert oncall_customer.get("/v1/customer/%s/schedule" % seed["customer_id"]).status_code == 403


def test_plain_messages_setting_answers_writes_as_text(oncall_command, oncall_query, seed, schedule_path, entry, control):
    control("oncall_command").put("/settings", json={"plain_messages": True})
    created = oncall_command.post(schedule_path, json=entry())
    assert created.status_code == 201 and created.text == "Schedule created" and created.headers["Content-Type"].startswith("text/plain")
    [stored] = schedules(oncall_query, seed)
    deleted = oncall_command.delete(schedule_path, params={"team_member_id": stored["team_member_id"], "created_at": stored["created_at"]})
    assert deleted.text == "Schedule deleted"
    assert control("oncall_query").get("/settings").json()["plain_messages"] is True
