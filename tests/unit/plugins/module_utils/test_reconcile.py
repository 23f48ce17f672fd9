"""Comparison, minimal diffs and the ensure present/absent core, without HTTP."""

import pytest

from ansible_collections.incident.ops.plugins.module_utils.client import ApiError
from ansible_collections.incident.ops.plugins.module_utils.reconcile import (
    CreateOutcomeUnknown, Resource, changes, ensure, matches, normalise, pending, plan_set)


class Store(Resource):
    """An in-memory resource that records every write."""

    def __init__(self, current=None, create_fails=None):
        self.current = current
        self.writes = []
        self.create_fails = create_fails

    def find(self):
        return self.current

    def create(self, desired):
        self.writes.append(("create", desired))
        if self.create_fails:
            error, self.create_fails = self.create_fails, None
            if error.retryable:
                self.current = dict(desired, id="P1")
            raise error
        self.current = dict(desired, id="P1")
        return self.current

    def update(self, current, changed):
        self.writes.append(("update", changed))
        self.current = dict(current, **changed)
        return self.current

    def delete(self, current):
        self.writes.append(("delete", current["id"]))
        self.current = None


def test_normalise_makes_equivalent_values_equal():
    assert normalise(5.0) == 5 and normalise(" a ") == "a"
    assert normalise({"a": [1.0, " b"]}) == {"a": [1, "b"]}
    assert normalise(True) is True


def test_only_fields_the_user_set_are_compared():
    current = {"name": "Ada", "role": "user", "job_title": "SRE", "avatar_url": "x"}
    assert changes(current, {"name": "Ada", "role": None, "job_title": "SRE"}) == {}
    assert changes(current, {"name": "Ada L", "role": "admin"}) == {"name": "Ada L", "role": "admin"}


def test_nested_dicts_compare_as_subsets_and_lists_in_order():
    assert matches({"a": {"b": 1, "c": 2}}, {"a": {"b": 1}})
    assert not matches([1, 2], [2, 1])
    assert not matches([1], [1, 2])
    assert not matches("x", {"a": 1})


def test_create_when_missing():
    store = Store()
    changed, result, diff = ensure(store, {"name": "Ada", "role": None}, identity={"email": "a@x.io"}).as_tuple()
    assert changed and result["id"] == "P1"
    assert store.writes == [("create", {"email": "a@x.io", "name": "Ada"})]
    assert diff == {"before": {}, "after": {"email": "a@x.io", "name": "Ada"}}


def test_nothing_to_do_writes_nothing():
    store = Store({"id": "P1", "name": "Ada", "role": "user"})
    changed, result, diff = ensure(store, {"name": "Ada", "role": "user"}).as_tuple()
    assert not changed and store.writes == [] and result["id"] == "P1"
    assert diff == {"before": {}, "after": {}}


def test_update_sends_and_diffs_only_the_changed_fields():
    store = Store({"id": "P1", "name": "Ada", "role": "user", "job_title": "SRE"})
    changed, result, diff = ensure(store, {"name": "Ada", "role": "admin", "job_title": None}).as_tuple()
    assert changed and result["role"] == "admin"
    assert store.writes == [("update", {"role": "admin"})]
    assert diff == {"before": {"role": "user"}, "after": {"role": "admin"}}


def test_delete_when_present_and_nothing_when_absent():
    store = Store({"id": "P1", "name": "Ada"})
    changed, result, diff = ensure(store, {"name": None}, state="absent", identity={"email": "a@x.io"}).as_tuple()
    assert changed and result is None and store.writes == [("delete", "P1")]
    assert diff == {"before": {"email": "a@x.io"}, "after": {}}
    assert ensure(store, {}, state="absent").changed is False


@pytest.mark.parametrize("current, desired, state", [
    (None, {"name": "Ada"}, "present"),
    ({"id": "P1", "name": "Ada"}, {"name": "Bob"}, "present"),
    ({"id": "P1", "name": "Ada"}, {}, "absent"),
])
def test_check_mode_predicts_but_never_writes(current, desired, state):
    store = Store(current)
    outcome = ensure(store, desired, state=state, check_mode=True)
    assert outcome.changed
    assert store.writes == []


def test_a_lost_create_response_is_looked_up_not_resent():
    store = Store(create_fails=ApiError("cut off", retryable=True))
    outcome = ensure(store, {"name": "Ada"})
    assert outcome.result["id"] == "P1"
    assert [write[0] for write in store.writes] == ["create"]


def test_a_refused_create_is_not_retried():
    store = Store(create_fails=ApiError("invalid", status=400))
    with pytest.raises(ApiError):
        ensure(store, {"name": "Ada"})
    assert len(store.writes) == 1


class SlowStore(Store):
    """A create whose answer is lost and whose object shows on the ``appears_after``-th lookup after it (None: never)."""

    def __init__(self, appears_after, current=None):
        super().__init__(current)
        self.appears_after = appears_after
        self.lookups = 0
        self.slept = []

    def sleep(self, seconds):
        self.slept.append(seconds)

    def create(self, desired):
        self.writes.append(("create", desired))
        self.pending = dict(desired, id="P1")
        raise ApiError("The request timed out", method="POST", path="/things", retryable=True)

    def find(self):
        if self.writes:  # the lookups after the create are counted
            self.lookups += 1
            if self.appears_after is not None and self.lookups >= self.appears_after:
                self.current = self.pending
        return self.current


def test_a_lost_create_is_looked_for_again_until_it_appears():
    store = SlowStore(appears_after=3)
    outcome = ensure(store, {"name": "Ada"})
    assert outcome.changed and outcome.result == {"name": "Ada", "id": "P1"}
    assert [write[0] for write in store.writes] == ["create"], "never sent twice"
    assert store.slept == [1.0, 2.0]


def test_a_lost_create_that_never_appears_fails_without_a_second_create():
    store = SlowStore(appears_after=None)
    with pytest.raises(CreateOutcomeUnknown) as caught:
        ensure(store, {"name": "Ada"})
    assert [write[0] for write in store.writes] == ["create"]
    assert store.slept == [1.0, 2.0, 4.0] and store.lookups == 4
    message = str(caught.value)
    assert "may still complete on the server" in message and "re-run to converge" in message
    assert "(POST /things)" in message


class RacedStore(Store):
    """Another run creates the object between our lookup and our create; PagerDuty then says the name is taken."""

    def __init__(self, winner):
        super().__init__()
        self.winner = winner

    def already_exists(self, error):
        return error.status == 400 and "already been taken" in error.api_message

    def create(self, desired):
        self.writes.append(("create", desired))
        self.current = self.winner
        raise ApiError("The API refused the request", status=400, api_message="Invalid Input Provided; Name has already been taken")


def test_a_create_that_lost_a_race_converges_on_the_winners_object():
    store = RacedStore({"id": "P9", "name": "Ops", "size": 1})
    outcome = ensure(store, {"size": 2}, identity={"name": "Ops"})
    assert outcome.changed and outcome.result == {"id": "P9", "name": "Ops", "size": 2}
    assert store.writes == [("create", {"name": "Ops", "size": 2}), ("update", {"size": 2})]


def test_a_create_that_lost_a_race_to_an_equal_object_writes_nothing_more():
    store = RacedStore({"id": "P9", "name": "Ops", "size": 2})
    outcome = ensure(store, {"size": 2}, identity={"name": "Ops"})
    assert outcome.result["id"] == "P9"
    assert [write[0] for write in store.writes] == ["create"]


def test_a_taken_name_whose_owner_cannot_be_found_is_reported():
    store = RacedStore(None)
    with pytest.raises(ApiError) as caught:
        ensure(store, {"size": 2}, identity={"name": "Ops"})
    assert "already been taken" in str(caught.value)


def contact_key(item):
    return item["type"], item["address"]


def test_plan_set_adds_updates_and_purges():
    current = [{"id": "C1", "type": "email", "address": "a@x.io", "label": "Default"},
               {"id": "C2", "type": "sms", "address": "555"},
               {"id": "C3", "type": "phone", "address": "777", "label": "Work"}]
    desired = [{"type": "email", "address": "a@x.io", "label": "Default"},
               {"type": "phone", "address": "777", "label": "Mobile"},
               {"type": "push", "address": "dev-1"}]
    plan = plan_set(current, desired, contact_key)
    assert plan.changed
    assert plan.add == [{"type": "push", "address": "dev-1"}]
    assert plan.update == [(current[2], desired[1])]
    assert plan.remove == [current[1]]
    touched = plan.add + [have for have, want in plan.update] + plan.remove
    assert current[0] not in touched, "an item that already matches is left alone"


def test_plan_set_keeps_extras_without_purge_and_protected_items_always():
    current = [{"id": "C1", "type": "email", "address": "a@x.io"}, {"id": "C2", "type": "sms", "address": "555"}]
    assert plan_set(current, [], contact_key, purge=False).remove == []
    plan = plan_set(current, [], contact_key, protected=lambda item: item["type"] == "email")
    assert plan.remove == [current[1]]


def test_plan_set_equal_sets_change_nothing():
    current = [{"id": "C1", "type": "email", "address": "a@x.io", "label": "Default"}]
    assert not plan_set(current, [{"type": "email", "address": "a@x.io"}], contact_key).changed


def test_pending_is_everything_for_a_new_object_and_the_changes_otherwise():
    wanted = {"size": 2, "colour": "blue"}
    assert pending(Store(), None, wanted) == wanted
    assert pending(Store(), {"id": "P1", "size": 1, "colour": "blue"}, wanted) == {"size": 2}
