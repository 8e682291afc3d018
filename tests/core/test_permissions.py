"""Every route declares who may call it; the declaration is checked centrally."""

from association.core.permissions import undeclared_routes


def test_every_route_declares_its_access(app):
    assert undeclared_routes(app) == []


def test_the_check_finds_an_undeclared_route(error_app):
    assert undeclared_routes(error_app) == ["GET /api/v1/raising/undeclared (raising.undeclared)"]


def test_anonymous_reaches_only_public_routes(client):
    assert client.get("/login").status_code == 200
    assert client.get("/healthz").status_code == 200
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert client.get("/api/v1/docs").status_code == 200
    assert client.get("/").status_code == 302
    assert client.get("/api/v1/me").status_code == 401


def test_the_api_description_says_how_to_authenticate(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert {"bearerAuth", "cookieAuth"} <= set(spec["components"]["securitySchemes"])
    assert spec["security"] == [{"bearerAuth": []}, {"cookieAuth": []}]
    assert spec["paths"]["/api/v1/auth/token"]["post"]["security"] == []
    problem = spec["paths"]["/api/v1/tasks/{task_id}"]["patch"]["responses"]["412"]
    assert "application/problem+json" in problem["content"]
