// The create-server page: "Add another disk" copies the last empty disk row (size + mount path).
// Without JS the page shows one empty row more after each submit.
(function () {
  "use strict";
  var MAX = 8;
  function setup() {
    var box = document.querySelector("[data-extra-disks]");
    if (!box) return;
    var rows = box.querySelector("[data-disk-rows]");
    var add = box.querySelector("[data-add-disk]");
    if (!rows || !add) return;
    function count() { return rows.querySelectorAll("[data-disk-row]").length; }
    function refresh() { add.hidden = count() >= MAX; }
    add.addEventListener("click", function () {
      var last = rows.querySelector("[data-disk-row]:last-child");
      if (!last || count() >= MAX) return;
      var row = last.cloneNode(true);
      var n = count() + 1;
      row.classList.remove("has-error");
      row.querySelectorAll(".field-error").forEach(function (e) { e.remove(); });
      row.querySelectorAll("input").forEach(function (input) {
        input.value = "";
        input.id = input.id.replace(/-\d+$/, "-" + n);
      });
      row.querySelectorAll("label").forEach(function (label) {
        label.htmlFor = label.htmlFor.replace(/-\d+$/, "-" + n);
      });
      rows.appendChild(row);
      row.querySelector("input").focus();
      refresh();
    });
    refresh();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();
