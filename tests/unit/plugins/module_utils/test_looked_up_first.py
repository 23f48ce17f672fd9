"""LookedUpFirst: one lookup before ensure(), none repeated by it, a fresh one after a lost create."""

from ansible_collections.incident.ops.plugins.module_utils.client import ApiError
from ansible_collections.incident.ops.plugins.module_utils.reconcile import LookedUpFirst, ensure


class Counted(LookedUpFirst):
    """Counts lookups; its first create can lose its answer after the object was made."""

    def __init__(self, current=None, lose_create=False):
        self.current = current
        self.lookups = 0
        self.creates = 0
        self.lose_create = lose_create

    def lookup(self):
        self.lookups += 1
        return self.current

    def create(self, desired):
        self.creates += 1
        self.current = dict(desired, id="P1")
        if self.lose_create:
            self.lose_create = False
            raise ApiError("The request could not connect or was cut off", "POST", "/things", retryable=True)
        return self.current

    def update(self, current, changed):
        self.current = dict(current, **changed)
        return self.current


def test_ensure_reuses_the_look():
    resource = Counted({"id": "P1", "name": "a", "size": 1})
    assert resource.look()["size"] == 1
    outcome = ensure(resource, {"size": 2})
    assert outcome.changed and outcome.result["size"] == 2
    assert resource.lookups == 1


def test_only_the_next_find_is_answered_from_the_look():
    resource = Counted({"id": "P1"})
    resource.look()
    resource.find()
    resource.find()
    assert resource.lookups == 2


def test_find_without_a_look_asks():
    resource = Counted(None)
    assert ensure(resource, {"size": 1}).changed
    assert resource.lookups == 1 and resource.creates == 1


def test_a_lost_create_looks_again_instead_of_creating_twice():
    resource = Counted(None, lose_create=True)
    assert resource.look() is None
    outcome = ensure(resource, {"size": 1})
    assert outcome.result == {"size": 1, "id": "P1"}
    assert resource.creates == 1
    assert resource.lookups == 2
