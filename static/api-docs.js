// Starts Swagger UI on /api/v1/docs (a file, not an inline script: the Content-Security-Policy allows only 'self').
// "Try it out" works with the browser session: unsafe methods carry the page's CSRF token.
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root || typeof window.SwaggerUIBundle !== "function") {
    return;
  }
  var csrfToken = root.getAttribute("data-csrf-token");
  window.SwaggerUIBundle({
    url: root.getAttribute("data-spec-url"),
    domNode: root,
    deepLinking: true,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    requestInterceptor: function (request) {
      if (csrfToken && ["GET", "HEAD", "OPTIONS"].indexOf((request.method || "GET").toUpperCase()) === -1) {
        request.headers["X-CSRFToken"] = csrfToken;
      }
      return request;
    }
  });
})();
