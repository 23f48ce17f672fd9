"""The connection option tables and the doc fragments that document them must agree."""

import pytest
import yaml
from ansible.module_utils.common.parameters import AnsibleFallbackNotFound

from ansible_collections.incident.ops.plugins.doc_fragments.itsm import ModuleDocFragment as ItsmDocs
from ansible_collections.incident.ops.plugins.doc_fragments.oncall import ModuleDocFragment as OncallDocs
from ansible_collections.incident.ops.plugins.doc_fragments.pagerduty import ModuleDocFragment as PagerDutyDocs
from ansible_collections.incident.ops.plugins.doc_fragments.tickets import ModuleDocFragment as TicketsDocs
from ansible_collections.incident.ops.plugins.module_utils import options
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput

TABLES = [(options.PAGERDUTY, PagerDutyDocs), (options.ITSM, ItsmDocs), (options.TICKETS, TicketsDocs),
          (options.ONCALL, OncallDocs)]
SECRETS = {"api_token", "client_secret", "password", "api_key"}


@pytest.mark.parametrize("table, fragment", TABLES)
def test_fragment_documents_every_option_of_the_table(table, fragment):
    documented = yaml.safe_load(fragment.DOCUMENTATION)["options"]
    assert set(documented) == set(table)
    for name, option in table.items():
        doc = documented[name]
        assert doc["type"] == option["type"], name
        assert doc.get("default") == option.get("default"), name
        env = option.get("env")
        # A required option with an env fallback is checked by options.require, which names both; the spec leaves it optional.
        assert bool(doc.get("required")) == bool(option.get("required") and not env), name
        says_required = any(line.startswith("Required.") for line in doc["description"])
        assert says_required == bool(option.get("required") and env), name
        mentions_env = env is not None and "E(%s)" % env in " ".join(doc["description"])
        assert mentions_env == (env is not None), name


@pytest.mark.parametrize("table, fragment", TABLES)
def test_secrets_are_no_log_and_get_env_fallbacks(table, fragment):
    spec = options.argument_spec(table, extra=dict(type="str"))
    assert spec["extra"] == {"type": "str"}
    for name, option in table.items():
        if option.get("env"):
            assert spec[name]["fallback"] == (options.env_fallback_set, [option["env"]])
        assert "env" not in spec[name]
        assert bool(spec[name].get("no_log")) == (name in SECRETS), name
    assert all("env" in option for name, option in table.items() if name in SECRETS), "building a spec must not consume the table"


def test_an_empty_environment_variable_counts_as_unset(monkeypatch):
    monkeypatch.setenv("INCIDENT_OPS_TEST_EMPTY", "")
    monkeypatch.setenv("INCIDENT_OPS_TEST_SET", "token")
    assert options.env_fallback_set("INCIDENT_OPS_TEST_EMPTY", "INCIDENT_OPS_TEST_SET") == "token"
    with pytest.raises(AnsibleFallbackNotFound):
        options.env_fallback_set("INCIDENT_OPS_TEST_EMPTY")
    monkeypatch.delenv("INCIDENT_OPS_TEST_SET")
    with pytest.raises(AnsibleFallbackNotFound):
        options.env_fallback_set("INCIDENT_OPS_TEST_SET")


@pytest.mark.parametrize("table", [options.PAGERDUTY, options.ITSM, options.TICKETS, options.ONCALL])
def test_a_missing_required_option_names_its_environment_variable(table):
    params = dict((name, None) for name in table)
    required = [name for name, option in table.items() if option.get("required")]
    if not required:
        options.require(params, table)
        return
    with pytest.raises(InvalidInput) as caught:
        options.require(params, table)
    for name in required:
        assert "%s (or the %s environment variable)" % (name, table[name]["env"]) in str(caught.value)
    options.require(dict(params, **dict((name, "set") for name in required)), table)


def test_required_options_with_an_env_fallback_are_left_to_require():
    spec = options.argument_spec(options.PAGERDUTY)
    assert "required" not in spec["api_token"]
    assert options.PAGERDUTY["api_token"]["required"], "the table still says the option is required"
