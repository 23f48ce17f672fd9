"""ApiObject and NamedObject: the writes every PagerDuty resource shares, the lookup by exact name, and how objects are named."""

from ansible_collections.incident.ops.plugins.module_utils.pagerduty.api import ApiObject, NamedObject, describe_object, display_name
from ansible_collections.incident.ops.plugins.module_utils.reconcile import ensure


class FakeApi:
    """Records each call and answers a write with its body, given an id."""

    def __init__(self, found=None):
        self.found = found
        self.calls = []

    def find_by_name(self, collection, name, params=None):
        self.calls.append(("FIND", collection, name, params))
        return self.found

    def post(self, path, body=None, headers=None):
        self.calls.append(("POST", path, body, headers))
        return dict((key, dict(value, id="P1")) for key, value in body.items())

    def put(self, path, body=None):
        self.calls.append(("PUT", path, body))
        return body

    def delete(self, path):
        self.calls.append(("DELETE", path))


class Widget(NamedObject):
    collection = "widgets"
    key = "widget"
    lookup_params = {"include[]": ["parts"]}

    def body(self, fields, current=None):
        return dict(fields) if current is None else dict(fields, name=current["name"])

    def present(self, record):
        return dict(record, shown=True)

    def create_headers(self):
        return {"From": "admin@example.com"}


def test_lookup_is_by_exact_name_with_the_lookup_params():
    api = FakeApi({"id": "P1", "name": "Blue"})
    assert Widget(api, "Blue").look() == {"id": "P1", "name": "Blue"}
    assert api.calls == [("FIND", "widgets", "Blue", {"include[]": ["parts"]})]


def test_create_wraps_the_body_in_the_key_with_its_type_and_sends_the_headers():
    api = FakeApi()
    outcome = ensure(Widget(api, "Blue"), {"size": 2}, identity={"name": "Blue"})
    assert api.calls[1] == ("POST", "/widgets", {"widget": {"name": "Blue", "size": 2, "type": "widget"}},
                            {"From": "admin@example.com"})
    assert outcome.result == {"name": "Blue", "size": 2, "type": "widget", "id": "P1", "shown": True}


def test_update_puts_the_subclass_body_at_the_object_path():
    api = FakeApi({"id": "P7", "name": "Blue", "size": 1})
    outcome = ensure(Widget(api, "Blue"), {"size": 2})
    assert api.calls[1] == ("PUT", "/widgets/P7", {"widget": {"size": 2, "name": "Blue", "type": "widget"}})
    assert outcome.result["shown"] is True


def test_delete_targets_the_object_path():
    api = FakeApi({"id": "P7", "name": "Blue"})
    assert ensure(Widget(api, "Blue"), {}, "absent").changed
    assert api.calls[1] == ("DELETE", "/widgets/P7")


def test_defaults_send_the_fields_as_given_and_return_the_answer():
    class Plain(ApiObject):
        collection = "plains"
        key = "plain"

    api = FakeApi()
    assert Plain(api).create({"size": 1}) == {"size": 1, "type": "plain", "id": "P1"}
    assert api.calls == [("POST", "/plains", {"plain": {"size": 1, "type": "plain"}}, None)]


def test_an_object_is_named_by_its_name_and_a_reference_by_its_summary():
    assert display_name({"name": "Payments", "summary": "Payments team"}) == "Payments"
    assert display_name({"id": "PT1", "type": "team_reference", "summary": "Payments"}) == "Payments"
    assert display_name({"id": "PT1"}) is None


def test_messages_name_an_object_by_kind_name_and_id():
    assert describe_object("schedule", {"id": "PS1", "summary": "Primary"}) == "schedule 'Primary' (PS1)"
