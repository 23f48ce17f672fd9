"""The pure parts of the incident_alert callback: messages, the de-duplication key, the bounded and redacted report."""

import pytest

from ansible_collections.incident.ops.plugins.plugin_utils import incident_alert as alert
from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput

SECRET = "hunter2-secret"
ROUTING_KEY = "R" * 32


def failure(host="web1", message="disk full", unreachable=False, task="Check disk"):
    return alert.Failure(host, task, "ansible.builtin.fail", message, unreachable)


# Messages -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("result, task_no_log", [
    ({"msg": "password is %s" % SECRET}, True),
    ({"msg": "password is %s" % SECRET, "_ansible_no_log": True}, False),
    ({"censored": "the output has been hidden", "changed": False}, False),
])
def test_a_no_log_result_says_nothing_of_its_output(result, task_no_log):
    assert alert.failure_message(result, task_no_log) == alert.HIDDEN


def test_a_message_keeps_the_end_of_stderr():
    message = alert.failure_message({"msg": "non-zero return code", "stderr": "early noise\nE: Unable to locate package foo"})
    assert message.startswith("non-zero return code: ")
    assert message.endswith("E: Unable to locate package foo")


def test_a_loop_names_its_failed_items_but_hides_no_log_ones():
    result = {"msg": "One or more items failed", "results": [
        {"failed": True, "msg": "item a broke"},
        {"failed": False, "msg": "fine"},
        {"failed": True, "_ansible_no_log": True, "msg": "item b holds %s" % SECRET},
    ]}
    message = alert.failure_message(result)
    assert "item a broke" in message and alert.HIDDEN in message
    assert SECRET not in message and "fine" not in message


def test_a_long_message_is_cut():
    message = alert.failure_message({"msg": "x" * 5000})
    assert len(message) <= alert.MAX_MESSAGE and message.endswith("(truncated)")


def test_a_result_without_words_still_says_something():
    assert alert.failure_message({"failed": True}) == "(no message)"


# The key ----------------------------------------------------------------------------------------------------------


def test_the_key_is_stable_and_readable():
    key = alert.alert_key(["/srv/ops/nightly backup.yml"], ["/srv/ops/hosts", "/srv/ops/extra"])
    assert key == alert.alert_key(["/srv/ops/nightly backup.yml"], ["/srv/ops/extra", "/srv/ops/hosts"])
    assert key.startswith("ansible-nightly-backup-")
    assert len(key) <= 255 and " " not in key


@pytest.mark.parametrize("other", [
    (["/srv/ops/other.yml"], ["/srv/ops/hosts"], None),
    (["/srv/ops/nightly.yml"], ["/srv/ops/staging"], None),
    (["/srv/ops/nightly.yml"], ["/srv/ops/hosts"], "eu-west"),
])
def test_another_playbook_inventory_or_key_gives_another_key(other):
    assert alert.alert_key(*other) != alert.alert_key(["/srv/ops/nightly.yml"], ["/srv/ops/hosts"])


def test_sources_that_are_files_become_absolute_paths_others_stay(tmp_path):
    (tmp_path / "hosts").write_text("[all]\n")
    assert alert.source_name("hosts", str(tmp_path)) == str(tmp_path / "hosts")
    assert alert.source_name("./hosts", str(tmp_path)) == str(tmp_path / "hosts")
    assert alert.source_name("web1,web2,", str(tmp_path)) == "web1,web2,"


# The report ---------------------------------------------------------------------------------------------------------


def report(failures, **kwargs):
    return alert.Report("ansible-nightly-0123", ["/srv/nightly.yml"], ["/srv/hosts"], failures,
                        kwargs.pop("failed", ["web1"]), kwargs.pop("unreachable", []), **kwargs)


def test_the_title_does_not_change_with_the_failures():
    assert report([failure()]).title == report([failure(), failure("web2")], failed=["web1", "web2"]).title
    assert report([failure()]).title == alert.title_for("ansible-nightly-0123", ["/srv/nightly.yml"])
    assert "nightly.yml" in report([]).title and "ansible-nightly-0123" in report([]).title


def test_the_text_lists_hosts_and_failures():
    text = report([failure(), failure("db1", "Connection refused", unreachable=True)], unreachable=["db1"]).text()
    assert "1 failed (web1)" in text and "1 unreachable (db1)" in text
    assert "- [web1] Check disk (ansible.builtin.fail): disk full" in text
    assert "- [db1] Check disk (ansible.builtin.fail): UNREACHABLE: Connection refused" in text
    assert "/srv/nightly.yml" in text and "/srv/hosts" in text


def test_only_max_failures_are_listed_the_rest_counted():
    built = report([failure("web%d" % number) for number in range(30)], max_failures=5)
    assert built.text().count("\n- [") == 5
    assert "... and 25 more" in built.text()
    assert len(built.details()["failures"]) == 5 and built.details()["more_failures"] == 25


def test_the_text_is_bounded_whatever_the_failures():
    built = report([failure("web%d" % number, "y" * alert.MAX_MESSAGE) for number in range(100)], max_failures=100)
    assert len(built.text()) <= alert.MAX_TEXT


def test_secrets_are_redacted_everywhere():
    built = report([failure(message="token %s leaked" % SECRET, task="Use %s" % SECRET)], secrets=[SECRET, None, ""])
    assert SECRET not in built.text() and SECRET not in str(built.details())
    assert "token ******** leaked" in built.text()


def test_redacted_walks_dicts_and_lists():
    assert alert.redacted({"a": [SECRET, {"b": "x%sx" % SECRET}], "n": 3}, [SECRET]) == {
        "a": ["********", {"b": "x********x"}], "n": 3}


# Where it goes --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("options, kind", [
    ({"target": "itsm", "routing_key": ROUTING_KEY, "itsm_url": "https://desk"}, "itsm"),
    ({"routing_key": ROUTING_KEY, "pagerduty_service": "Checkout"}, "pagerduty_events"),
    ({"pagerduty_service": "Checkout", "itsm_url": "https://desk"}, "pagerduty"),
    ({"itsm_url": "https://desk"}, "itsm"),
])
def test_the_target_is_the_configured_one_or_the_first_implied(options, kind):
    assert alert.target_kind(options) == kind


def test_no_target_at_all_says_what_to_set():
    with pytest.raises(InvalidInput, match="set target"):
        alert.target_kind({})


@pytest.mark.parametrize("options, words", [
    ({"target": "pagerduty", "pagerduty_service": "Checkout"}, "pagerduty_api_token, pagerduty_from_email"),
    ({"target": "pagerduty_events"}, "routing_key"),
    ({"routing_key": "a-rest-token"}, "32 letters and digits"),
    ({"itsm_url": "https://desk", "itsm_api_key": "k"}, "itsm_requester_email"),
])
def test_an_incomplete_configuration_is_refused_before_any_request(options, words):
    with pytest.raises(InvalidInput, match=words):
        alert.check_options(options)


def test_the_desk_requester_defaults_to_a_user_that_is_an_email():
    assert alert.requester({"itsm_username": "ops@example.com"}) == "ops@example.com"
    assert alert.requester({"itsm_username": "ops", "itsm_requester_email": "bot@example.com"}) == "bot@example.com"
    assert alert.requester({"itsm_username": "ops"}) is None
