"""The AWX credential types inject exactly the environment variables the modules read."""

import jinja2
import pytest

from ansible_collections.incident.ops.plugins.module_utils import options

TABLES = {"pagerduty": options.PAGERDUTY, "itsm": options.ITSM, "tickets": options.TICKETS, "oncall": options.ONCALL}


def render(credential_type, values):
    """The environment AWX would give a job for a credential with these input values."""
    fields = dict((field["id"], "") for field in credential_type["inputs"]["fields"])
    fields.update(values)
    environment = jinja2.Environment(undefined=jinja2.StrictUndefined)
    return dict((name, environment.from_string(template).render(fields))
                for name, template in credential_type["injectors"]["env"].items())


def test_there_is_one_credential_type_per_service(credential_types):
    assert sorted(credential_types) == sorted(TABLES)


@pytest.mark.parametrize("service", sorted(TABLES))
def test_every_field_is_a_connection_option_and_every_secret_is_secret(credential_types, service):
    table = TABLES[service]
    fields = credential_types[service]["inputs"]["fields"]
    ids = [field["id"] for field in fields]
    assert len(ids) == len(set(ids))
    for field in fields:
        assert field["id"] in table, field["id"]
        assert bool(field.get("secret")) == bool(table[field["id"]].get("no_log")), field["id"]
        assert field["type"] == "string"
    assert set(credential_types[service]["inputs"]["required"]) <= set(ids)


@pytest.mark.parametrize("service", sorted(TABLES))
def test_injectors_set_the_environment_variable_of_every_field(credential_types, service):
    table = TABLES[service]
    values = dict((field["id"], "value-of-" + field["id"]) for field in credential_types[service]["inputs"]["fields"])
    environment = render(credential_types[service], values)
    expected = dict((table[name]["env"], value) for name, value in values.items())
    assert environment == expected


@pytest.mark.parametrize("service", sorted(TABLES))
def test_a_field_left_empty_gets_the_options_default(credential_types, service):
    table = TABLES[service]
    environment = render(credential_types[service], {})
    for field in credential_types[service]["inputs"]["fields"]:
        option = table[field["id"]]
        assert environment[option["env"]] == (option.get("default") or ""), field["id"]
