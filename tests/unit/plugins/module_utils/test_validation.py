"""Input checks that run before any request."""

import pytest

from ansible_collections.incident.ops.plugins.module_utils.validation import InvalidInput, check_email, check_time_zone


@pytest.mark.parametrize("value", ["ada@example.com", "first.last+tag@sub.example.co.uk", None])
def test_valid_emails_pass(value):
    assert check_email(value) == value


@pytest.mark.parametrize("value", ["ada", "ada@", "@example.com", "ada@example", "a b@example.com"])
def test_invalid_emails_fail_with_the_value_named(value):
    with pytest.raises(InvalidInput, match="is not an email address"):
        check_email(value, what="members[0].email")


@pytest.mark.parametrize("value", ["Europe/Paris", "America/New_York", "UTC", "Asia/Colombo", "Etc/GMT+5", None])
def test_iana_time_zones_pass(value):
    assert check_time_zone(value) == value


@pytest.mark.parametrize("value", ["Paris", "Mars/Olympus_Mons", "GMT+25", "posix/Europe/Paris", "localtime", "../zoneinfo/UTC", "Europe/Paris "])
def test_unknown_time_zones_fail(value):
    with pytest.raises(InvalidInput, match="is not an IANA time zone"):
        check_time_zone(value)
