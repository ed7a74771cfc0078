/* The pool editor: find servers to add by name or address (rows hidden as you type; checked rows
 * stay). Everything works without JS: the full list is there. */
(function () {
  "use strict";

  function filterRows(input) {
    var editor = input.closest("[data-node-editor]");
    if (!editor) return;
    var needles = input.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    Array.prototype.forEach.call(editor.querySelectorAll("tr[data-node-row]"), function (row) {
      var box = row.querySelector('input[type="checkbox"]');
      var text = row.textContent.toLowerCase();
      var ok = (box && box.checked) || needles.every(function (n) { return text.indexOf(n) !== -1; });
      row.hidden = !ok;
      if (ok) shown++;
    });
    var none = editor.querySelector("[data-node-none]");
    if (none) none.hidden = shown !== 0;
  }

  document.addEventListener("input", function (event) {
    var target = event.target;
    if (target instanceof HTMLInputElement && target.hasAttribute("data-node-filter")) filterRows(target);
  });
  /* A search typed before this script ran (a slow page) or restored by the browser (back, reload)
   * filters at once, not only on the next keystroke. */
  Array.prototype.forEach.call(document.querySelectorAll("input[data-node-filter]"), function (input) {
    if (input.value.trim()) filterRows(input);
  });
  document.addEventListener("keydown", function (event) {
    /* Enter in the search box finds; it must not submit the whole editor. */
    var target = event.target;
    if (event.key === "Enter" && target instanceof HTMLInputElement && target.hasAttribute("data-node-filter")) {
      event.preventDefault();
      filterRows(target);
    }
  });
})();
