"""/api/v1/docs: an interactive reference (Swagger UI from the swagger-ui-bundle package, served by the app,
started by a script file: no inline script, no CDN) of a valid OpenAPI document that declares If-Match and ETag."""

from __future__ import annotations

import re

from openapi_spec_validator import validate


def test_the_document_is_valid_openapi(client):
    validate(client.get("/api/v1/openapi.json").get_json())  # raises on the first error


def test_if_match_and_etag_are_declared_where_they_are_used(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]

    def if_match(path, method):
        return [p for p in paths[path][method].get("parameters", []) if p["in"] == "header" and p["name"] == "If-Match"]

    assert [p["required"] for p in if_match("/api/v1/tasks/{task_id}", "patch")] == [True]
    assert [p["required"] for p in if_match("/api/v1/libraries/{library_id}", "patch")] == [True]
    assert [p["required"] for p in if_match("/api/v1/libraries/{library_id}/returns/{year}", "put")] == [False]
    assert if_match("/api/v1/tasks/{task_id}", "get") == []
    for path, method in (("/api/v1/tasks/{task_id}", "get"), ("/api/v1/tasks/{task_id}", "patch"),
                         ("/api/v1/libraries/{library_id}", "get"),
                         ("/api/v1/libraries/{library_id}/returns/{year}", "get"),
                         ("/api/v1/libraries/{library_id}/returns/{year}", "put")):
        assert "ETag" in paths[path][method]["responses"]["200"]["headers"], (path, method)
    assert "headers" not in paths["/api/v1/tasks"]["get"]["responses"]["200"]
    # The vendor markers the plugin reads never reach the document.
    assert not any(key.startswith("x-") for operations in paths.values() for operation in operations.values()
                   if isinstance(operation, dict) for key in operation)


def test_the_document_has_examples_and_the_error_shape(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    patch = spec["paths"]["/api/v1/tasks/{task_id}"]["patch"]
    assert patch["requestBody"]["content"]["application/json"]["example"]["status"] == "in_progress"
    assert spec["paths"]["/api/v1/auth/token"]["post"]["requestBody"]["content"]["application/json"]["example"]["email"]
    problem = spec["components"]["schemas"]["Problem"]["properties"]
    assert {"type", "title", "status", "detail", "errors"} <= set(problem)
    assert problem["errors"]["example"] and problem["status"]["example"] == 422
    for code in ("412", "428"):
        assert patch["responses"][code]["content"]["application/problem+json"]["schema"] == {
            "$ref": "#/components/schemas/Problem"}
    export = spec["paths"]["/api/v1/exports/progress"]["get"]["responses"]["200"]
    assert export["description"] and "application/pdf" in export["content"]


def test_the_reference_page_is_public_and_loads_only_its_own_files(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="swagger-ui"' in html and 'data-spec-url="/api/v1/openapi.json"' in html
    scripts = re.findall(r"<script\b([^>]*)>(.*?)</script>", html, flags=re.S)
    assert scripts and all('src="/' in attributes and not body.strip() for attributes, body in scripts)
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert "/api/v1/docs/assets/swagger-ui-bundle.js" in sources and "/api/v1/docs/assets/swagger-ui.css" in sources
    assert not [source for source in sources if source.startswith(("http:", "https:", "//"))]
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "<noscript>" in html and "/api/v1/tasks/{task_id}" in html  # readable without JavaScript too


def test_the_swagger_ui_assets_are_served_by_the_app(client):
    script = client.get("/api/v1/docs/assets/swagger-ui-bundle.js")
    assert script.status_code == 200 and "javascript" in script.mimetype
    assert b"SwaggerUIBundle" in script.get_data()
    style = client.get("/api/v1/docs/assets/swagger-ui.css")
    assert style.status_code == 200 and style.mimetype == "text/css"
    assert client.get("/static/api-docs.js").status_code == 200


def test_only_the_named_assets_are_served(client):
    for name in ("index.html", "swagger-initializer.js", "..%2F..%2F__init__.py", "oauth2-redirect.html"):
        assert client.get(f"/api/v1/docs/assets/{name}").status_code == 404
