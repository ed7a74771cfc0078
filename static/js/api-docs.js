/* /api/v1/docs/: the portal's Swagger UI set-up (Swagger UI itself is served from the
 * drf-spectacular-sidecar package). A file, not an inline script: the page's CSP allows scripts from
 * this origin only. No validator badge (it would call an outside service); "Try it out" with a portal
 * session sends the session cookie (same origin) and the CSRF token on writes. No deep links: they
 * put a link inside each operation's toggle button (a control inside a control, which screen
 * readers cannot reach). */
(function () {
  var root = document.getElementById("swagger-ui");
  function csrfToken() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : null;
  }
  window.ui = SwaggerUIBundle({
    url: root.getAttribute("data-schema-url") + "?format=json",
    dom_id: "#swagger-ui",
    deepLinking: false,
    validatorUrl: null,
    withCredentials: true,
    persistAuthorization: false,
    requestInterceptor: function (req) {
      var token = csrfToken();
      if (token && req.method && req.method !== "GET") {
        req.headers["X-CSRFToken"] = token;
      }
      return req;
    },
  });
})();
