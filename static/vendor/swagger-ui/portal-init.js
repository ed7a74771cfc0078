// The portal's own Swagger UI set-up (not part of swagger-ui-dist): no validator badge (it would call
// an outside service), same-origin cookies + CSRF token for "Try it out" with a portal session.
(function () {
  var root = document.getElementById("swagger-ui");
  function csrfToken() {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : null;
  }
  window.ui = SwaggerUIBundle({
    url: root.getAttribute("data-schema-url") + "?format=json",
    dom_id: "#swagger-ui",
    deepLinking: true,
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
