// Adds blank rows to Django formsets ([data-formset] sections). Without JavaScript the page
// still works: the server renders extra blank forms and the "add" buttons stay hidden.
(function () {
  "use strict";
  document.querySelectorAll("[data-formset]").forEach(function (section) {
    var prefix = section.getAttribute("data-formset");
    var total = section.querySelector("input[name='" + prefix + "-TOTAL_FORMS']");
    var maxForms = section.querySelector("input[name='" + prefix + "-MAX_NUM_FORMS']");
    var template = section.querySelector("template[data-formset-template]");
    var rows = section.querySelector("[data-formset-rows]");
    var button = section.querySelector("[data-formset-add]");
    if (!total || !template || !rows || !button) {
      return;
    }
    button.classList.remove("d-none");
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      if (maxForms && index >= parseInt(maxForms.value, 10)) {
        button.disabled = true;
        return;
      }
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      var holder = document.createElement(rows.tagName === "TBODY" ? "tbody" : "div");
      holder.innerHTML = html.trim();
      var row = holder.firstElementChild;
      rows.appendChild(row);
      total.value = String(index + 1);
      var first = row.querySelector("input, select, textarea");
      if (first) {
        first.focus();
      }
    });
  });
})();
