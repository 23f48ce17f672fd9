"""Custom field encoding by type code, and the desk's keys in snake_case."""

import pytest

from ansible_collections.incident.ops.plugins.module_utils.itsm import fields
from ansible_collections.incident.ops.plugins.module_utils.itsm.incidents import snake
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput

FORM = [{"id": 1, "name": "Stage", "type": 1, "options": ["Open", "Triage"]}, {"id": 36, "name": "Users", "type": 2},
        {"id": 37, "name": "Revenue", "type": 3}, {"id": 38, "name": "Security", "type": 4},
        {"id": 39, "name": "Event", "type": 5}, {"id": 40, "name": "Sites", "type": 7},
        {"id": 41, "name": "Services", "type": 8}, {"id": 42, "name": "Notes", "type": 10}]


def test_every_type_code_is_encoded_with_its_value_key():
    values = {"Stage": "Triage", "Users": 5, "Revenue": 1.5, "Security": True, "Event": 2 ** 40, "Sites": [1, 2],
              "Services": ["api"], "Notes": "long"}
    details = fields.encode(FORM, values)
    assert details == {"1": {"type": 1, "stringValue": "Triage"}, "36": {"type": 2, "integerValue": 5},
                       "37": {"type": 3, "doubleValue": 1.5}, "38": {"type": 4, "booleanValue": True},
                       "39": {"type": 5, "longValue": 2 ** 40}, "40": {"type": 7, "integerListValue": [1, 2]},
                       "41": {"type": 8, "stringListValue": ["api"]}, "42": {"type": 10, "bigStringValue": "long"}}
    assert fields.decode(FORM, details) == values


@pytest.mark.parametrize("values, message", [
    ({"Users": 2 ** 31}, "'Users' needs a INTEGER value"),
    ({"Users": True}, "needs a INTEGER"),
    ({"Revenue": "1.5"}, "needs a DOUBLE"),
    ({"Security": "yes"}, "needs a BOOLEAN"),
    ({"Sites": [1, "2"]}, "needs a INTEGER LIST"),
    ({"Services": "api"}, "needs a STRING LIST"),
    ({"Stage": "Done"}, "does not offer Done (it offers Open, Triage)"),
    ({"Nope": 1, "Other": 2}, "'Nope' is not a custom field of the form"),
])
def test_wrong_values_are_bad_input(values, message):
    with pytest.raises(InvalidInput) as caught:
        fields.encode(FORM, values)
    assert message in str(caught.value)


def test_every_problem_is_named_at_once():
    with pytest.raises(InvalidInput) as caught:
        fields.encode(FORM, {"Nope": 1, "Users": "x"})
    assert "'Nope'" in str(caught.value) and "'Users'" in str(caught.value)


def test_snake_case_at_every_depth():
    assert snake({"ccEmailSet": [], "fileAttachments": [{"refFileName": "a"}], "id": 1}) == {
        "cc_email_set": [], "file_attachments": [{"ref_file_name": "a"}], "id": 1}
