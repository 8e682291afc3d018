"""The interactive API reference renders in Chromium under the app's Content-Security-Policy, from its own files."""

from __future__ import annotations

from tests.browser.conftest import screenshot


def test_swagger_ui_renders_without_a_csp_violation_or_a_foreign_request(page, live_server):
    problems: list[str] = []
    requested: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("request", lambda request: requested.append(request.url))
    page.goto("/api/v1/docs")
    page.wait_for_selector(".swagger-ui .opblock-tag")
    page.wait_for_selector("#operations-tasks_api-patch_api_v1_tasks__task_id_")
    assert page.locator(".swagger-ui .opblock").count() > 30
    page.click("#operations-tasks_api-patch_api_v1_tasks__task_id_ .opblock-summary")
    page.wait_for_selector("#operations-tasks_api-patch_api_v1_tasks__task_id_ tr[data-param-name='If-Match']")
    screenshot(page, "api-reference")
    assert problems == []
    assert requested and all(url.startswith(live_server) for url in requested)
