"""The incident.ops.oncall lookup against the PagerDuty simulator, with its options resolved as Ansible resolves them."""

import pytest
import requests
import yaml
from test_pd_oncall_info import ADA, FIRST_WEEK, GRACE, LINUS, SECOND_WEEK, account  # noqa: F401  pylint: disable=unused-import
from ansible import constants as C
from ansible.errors import AnsibleError
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar

from ansible_collections.incident.ops.plugins.doc_fragments.pagerduty import ModuleDocFragment as PagerDutyDocs
from ansible_collections.incident.ops.plugins.lookup import oncall
from ansible_collections.incident.ops.plugins.module_utils import options

NAME = "incident.ops.oncall"


@pytest.fixture
def lookup():
    """The lookup as the plugin loader builds it: its documented options, this fragment's included, are its config."""
    documented = yaml.safe_load(oncall.DOCUMENTATION)
    assert documented["extends_documentation_fragment"] == ["incident.ops.pagerduty.plugin"]
    definitions = dict(yaml.safe_load(PagerDutyDocs.PLUGIN)["options"], **documented["options"])
    C.config.initialize_plugin_configuration_definitions("lookup", NAME, definitions)
    plugin = oncall.LookupModule(loader=DataLoader(), templar=Templar(loader=DataLoader()))
    plugin._load_name = NAME  # pylint: disable=protected-access
    return plugin


@pytest.fixture
def connection(pagerduty):
    """The simulator's connection options as variables, the way a play would set them."""
    return {"pagerduty_" + key: value for key, value in pagerduty.options.items()}


def brief(found):
    return [(item["email"], item["escalation_level"], item["schedule"], item["from"], item["until"]) for item in found]


def test_who_holds_the_schedule_at_an_instant(pagerduty, account, lookup, connection):
    found = lookup.run([], variables=connection, schedule="Payments primary", at=FIRST_WEEK)
    assert found == [{"name": "Ada Lovelace", "email": ADA, "user_id": account[ADA], "escalation_level": 1,
                      "escalation_policy": "Payments escalation", "schedule": "Payments primary",
                      "from": "2024-01-01T00:00:00Z", "until": "2024-01-08T00:00:00Z"}]
    assert [entry["method"] for entry in pagerduty.requests()] == ["GET", "GET"]
    query = pagerduty.requests()[-1]["query"]
    assert query["since"] == query["until"] == "2024-01-03T12:00:00Z"


def test_policy_and_level(account, lookup, connection):
    both = lookup.run([], variables=connection, escalation_policy="Payments escalation", at=SECOND_WEEK)
    assert brief(both) == [(GRACE, 1, "Payments primary", "2024-01-08T00:00:00Z", "2024-01-15T00:00:00Z"),
                           (LINUS, 2, None, None, None)]
    second = lookup.run([], variables=connection, escalation_policy="Payments escalation", at=SECOND_WEEK, level="2")
    assert brief(second) == [(LINUS, 2, None, None, None)]


def test_time_zone_renders_the_shift(account, lookup, connection):
    found = lookup.run([], variables=connection, schedule="Payments primary", at=FIRST_WEEK, time_zone="Europe/Paris")
    assert (found[0]["from"], found[0]["until"]) == ("2024-01-01T01:00:00+01:00", "2024-01-08T01:00:00+01:00")


def test_keywords_win_over_variables_and_the_environment(pagerduty, account, lookup, monkeypatch):
    """The environment alone is enough; a keyword replaces a variable, which replaces the environment."""
    monkeypatch.setenv("PAGERDUTY_TOKEN", pagerduty.options["api_token"])
    monkeypatch.setenv("PAGERDUTY_API_URL", pagerduty.url)
    assert brief(lookup.run([], variables={}, schedule="Payments primary", at=FIRST_WEEK))[0][0] == ADA
    wrong = {"pagerduty_api_token": "not-the-token"}
    with pytest.raises(AnsibleError, match="HTTP 401"):
        lookup.run([], variables=wrong, schedule="Payments primary", at=FIRST_WEEK)
    found = lookup.run([], variables=wrong, api_token=pagerduty.options["api_token"], schedule="Payments primary", at=FIRST_WEEK)
    assert brief(found)[0][0] == ADA


def test_the_token_never_shows_in_an_error(pagerduty, account, lookup, connection):
    requests.post(pagerduty.url + "/_sim/faults", json={"status": 500, "path": "/oncalls", "body": {
        "error": {"message": "boom %s" % pagerduty.options["api_token"]}}}, timeout=5).raise_for_status()
    with pytest.raises(AnsibleError) as raised:
        lookup.run([], variables=connection, schedule="Payments primary", max_retries=0)
    assert pagerduty.options["api_token"] not in str(raised.value)
    assert "GET /oncalls, HTTP 500" in str(raised.value)


@pytest.mark.parametrize("keywords, message", [
    ({"schedule": "Nowhere"}, "incident.ops.oncall: No PagerDuty schedule is named 'Nowhere'"),
    ({"escalation_policy": "Nobody pages"}, "No PagerDuty escalation policy is named 'Nobody pages'"),
    ({"at": "tonight"}, "at 'tonight' is not an ISO 8601 date-time"),
    ({"level": 0}, "level 0 is not an escalation level"),
    ({"time_zone": "Moon/Base"}, "time_zone 'Moon/Base' is not an IANA time zone"),
])
def test_bad_input_is_a_clear_error_before_the_oncall_list(pagerduty, account, lookup, connection, keywords, message):
    with pytest.raises(AnsibleError, match=message):
        lookup.run([], variables=connection, **keywords)
    assert [entry for entry in pagerduty.requests() if entry["path"] == "/oncalls"] == []


def test_terms_are_refused(lookup, connection):
    with pytest.raises(AnsibleError, match="keywords only"):
        lookup.run(["Payments primary"], variables=connection)


def test_plugin_fragment_documents_the_pagerduty_table():
    """Every connection option of the modules is a plugin option too, with the same type, default and environment variable."""
    documented = yaml.safe_load(PagerDutyDocs.PLUGIN)["options"]
    assert set(documented) == set(options.PAGERDUTY)
    for name, option in options.PAGERDUTY.items():
        doc = documented[name]
        assert (doc["type"], doc.get("default"), bool(doc.get("required"))) == \
            (option["type"], option.get("default"), bool(option.get("required"))), name
        if option.get("env"):
            assert doc["env"][0]["name"] == option["env"], name
        assert doc["vars"] == [{"name": "pagerduty_" + name}], name
        assert doc["ini"] == [{"section": "incident_ops_pagerduty", "key": name}], name
