/* The token page: the new token's value is selected when the field gets focus, ready to copy
 * (was an inline onfocus attribute, which the Content-Security-Policy refuses). */
(function () {
  "use strict";
  var field = document.getElementById("new-token");
  if (!field) return;
  field.addEventListener("focus", function () { field.select(); });
  field.focus();
})();
