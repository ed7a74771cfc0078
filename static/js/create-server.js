// The create-server page: "Add another disk" copies the last empty disk row (size + mount path).
// Without JS the page shows one empty row more after each submit.
// "Clone from an existing server": picking a source fills CPU and memory with its size, hides the
// template (a clone has the source's operating system) and shows the source password field.
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
  function setupClone() {
    var box = document.querySelector("[data-clone-source]");
    if (!box) return;
    var select = box.querySelector("select");
    var password = box.querySelector("[data-clone-password]");
    var template = document.querySelector("[data-template-row]");
    var cpu = document.querySelector("input[name=cpu]");
    var memory = document.querySelector("input[name=memory_gb]");
    function sizeOf(id) {
      var found = null;
      box.querySelectorAll("[data-clone-sizes] li").forEach(function (li) {
        if (li.getAttribute("data-id") === id) found = li;
      });
      return found;
    }
    function refresh(fill) {
      var cloning = !!select.value;
      if (password) password.hidden = !cloning;
      if (template) template.hidden = cloning;
      var size = cloning ? sizeOf(select.value) : null;
      if (fill && size) {
        if (cpu) cpu.value = size.getAttribute("data-cpu");
        if (memory) memory.value = size.getAttribute("data-memory");
      }
    }
    select.addEventListener("change", function () { refresh(true); });
    refresh(false);
  }
  function start() { setup(); setupClone(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
