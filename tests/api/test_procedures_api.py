import pytest


def test_it_lists_procedures(client, catalog):
    body = client.get("/api/v1/procedures").json()
    assert body["count"] == 10
    assert len(body["results"]) == 10
    first = body["results"][0]
    assert {"code", "name", "level", "sector", "agency", "receiving_agency", "url"} <= set(first)


def test_it_searches_and_ranks(client, catalog):
    body = client.get("/api/v1/procedures", {"q": "ly lich tu phap"}).json()
    assert body["results"][0]["code"] == "2.000488"


def test_it_filters_and_paginates(client, catalog):
    body = client.get("/api/v1/procedures", {"level": 4, "page_size": 2, "page": 2}).json()
    assert body["count"] == 5
    assert body["pages"] == 3
    assert len(body["results"]) == 2
    assert all(r["level"] == 4 for r in body["results"])
    assert client.get("/api/v1/procedures", {"sector": "HT"}).json()["count"] == 3
    assert client.get("/api/v1/procedures", {"agency": "000.00.15.H12"}).json()["count"] == 1


def test_it_answers_an_out_of_range_page_with_an_empty_list(client, catalog):
    response = client.get("/api/v1/procedures", {"page": 999999})
    assert response.status_code == 200
    assert response.json()["results"] == []
    assert response.json()["count"] == 10


@pytest.mark.parametrize(
    ("params", "parameter"),
    [({"level": 7}, "level"), ({"level": "abc"}, "level"), ({"page": "x"}, "page"), ({"subject": "aliens"}, "subject")],
)
def test_it_refuses_bad_parameters_with_a_json_error(client, catalog, params, parameter):
    response = client.get("/api/v1/procedures", params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_parameter"
    assert parameter in error["message"]


@pytest.mark.parametrize("query", ["x" * 10_000, "' OR 1=1 --", "<b>", "🙂"])
def test_it_answers_absurd_queries(client, catalog, query):
    assert client.get("/api/v1/procedures", {"q": query}).status_code == 200


def test_it_shows_a_procedure_by_code(client, catalog):
    body = client.get("/api/v1/procedures/2.000488").json()
    assert body["name"].startswith("Cấp Phiếu lý lịch tư pháp")
    assert body["receiving_agency"]["unit_code"] == "000.00.01.H12"
    case = body["cases"][0]
    assert case["time_amount"] == 10 and case["time_unit"] == "working_days"
    assert case["time_text"] == "10 ngày làm việc"
    assert len(case["steps"]) == 5
    assert body["components"][0]["paper_text"]
    assert body["fees"][0]["amount_text"].endswith(" đồng") or body["fees"][0]["amount_text"] == "Miễn phí"
    assert body["service_class_2022"] == "Dịch vụ công trực tuyến toàn trình"


def test_it_answers_404_in_json_for_an_unknown_code(client, catalog):
    response = client.get("/api/v1/procedures/9.999999")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "procedure_not_found"


def test_it_answers_404_in_json_for_an_unknown_api_path(client, db):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_it_serves_the_openapi_schema_and_docs(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.1")
    assert "/api/v1/procedures" in schema["paths"]
    assert client.get("/api/v1/docs").status_code == 200


def test_it_reports_health(client, db):
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["database"]["status"] == "ok"


def test_it_answers_suggestions_apart_when_nothing_matches(client, catalog):
    """#18: "khai tu" (no death registration here) matches nothing; the closest procedures come in
    `suggestions`, never in `results`, and `count` counts results only."""
    body = client.get("/api/v1/procedures", {"q": "dang ky khai tu"}).json()
    assert body["results"] == [] and body["count"] == 0 and body["pages"] == 0
    assert 1 <= len(body["suggestions"]) <= 5
    assert {"code", "name", "url"} <= set(body["suggestions"][0])
    matched = client.get("/api/v1/procedures", {"q": "lam giay khai sinh"}).json()
    assert matched["results"][0]["code"] == "1.001193"
    assert matched["suggestions"] == []
    assert client.get("/api/v1/procedures").json()["suggestions"] == []


def test_it_counts_a_search_without_result(client, catalog):
    from motcua.catalog.models import ZeroResultQuery

    client.get("/api/v1/procedures", {"q": "Trợ cấp thất nghiệp"})
    client.get("/api/v1/procedures", {"q": "tro cap that nghiep", "level": 4})  # filtered: not counted
    assert list(ZeroResultQuery.objects.values_list("query", "count")) == [("tro cap that nghiep", 1)]


def test_the_openapi_document_describes_suggestions(client):
    schema = client.get("/api/v1/openapi.json").json()
    listing = schema["components"]["schemas"]["ProcedureList"]
    assert "suggestions" in listing["properties"]
    assert "KHÔNG phải kết quả" in listing["properties"]["suggestions"]["description"]
