"""The desk's client: the returnCode envelope and what an empty error body means."""

import pytest
from werkzeug import Response

from ansible_collections.incident.ops.plugins.module_utils.auth import ApiKey
from ansible_collections.incident.ops.plugins.module_utils.client import ApiError, RetryPolicy
from ansible_collections.incident.ops.plugins.module_utils.itsm.api import Itsm


@pytest.fixture
def desk(httpserver):
    return Itsm(httpserver.url_for("/"), ApiKey("desk-key"), retry=RetryPolicy(max_retries=0), timeout=2)


def test_a_failed_return_code_with_200_is_a_failure(httpserver, desk):
    httpserver.expect_request("/api/v1/incident", method="POST").respond_with_json(
        {"returnCode": "FAILED", "status": 1, "userMessage": "Requester is inactive", "id": None})
    with pytest.raises(ApiError) as caught:
        desk.create_incident({"subject": "x"})
    assert "returnCode FAILED" in str(caught.value) and "Requester is inactive" in str(caught.value)
    assert caught.value.status == 200


def test_empty_401_and_500_get_a_useful_message(httpserver, desk):
    httpserver.expect_request("/api/v1/incident/1").respond_with_response(Response("", status=401))
    with pytest.raises(ApiError, match="refused the credentials and gave no reason"):
        desk.incident(1)
    httpserver.expect_request("/api/v1/incident", method="POST").respond_with_response(Response("", status=500))
    with pytest.raises(ApiError, match="internal error and gave no reason") as caught:
        desk.create_incident({"subject": "x"})
    assert "desk-key" not in str(caught.value)


def test_a_reason_the_desk_gives_is_kept(httpserver, desk):
    httpserver.expect_request("/api/v1/incident", method="POST").respond_with_json(
        {"returnCode": "FAILED", "status": 1, "userMessage": "Location 'X' does not exist.", "id": None}, status=400)
    with pytest.raises(ApiError, match="Location 'X' does not exist"):
        desk.create_incident({"subject": "x"})


def test_search_reads_every_page(httpserver, desk):
    pages = [{"objectList": [{"id": n} for n in range(100)], "totalCount": 150},
             {"objectList": [{"id": n} for n in range(100, 150)], "totalCount": 150}]
    httpserver.expect_ordered_request("/api/v1/request/search/byqual", method="POST",
                                      query_string="offset=0&size=100").respond_with_json(pages[0])
    httpserver.expect_ordered_request("/api/v1/request/search/byqual", method="POST",
                                      query_string="offset=100&size=100").respond_with_json(pages[1])
    assert len(desk.search_incidents({"subject": "x"})) == 150


def test_an_incident_without_id_gets_the_one_asked_for(httpserver, desk):
    httpserver.expect_request("/api/v1/incident/7").respond_with_json({"subject": "x"})
    assert desk.incident(7) == {"subject": "x", "id": 7}
