// The error summary (templates/includes/error_summary.html): a form that comes back with errors is
// re-rendered at the top of the page, so focus goes to the summary (a screen reader reads it, the
// keyboard starts from it), and each of its links moves focus to the field itself. A plain fragment
// link only scrolls: focus would stay on the link, and the field would sit under the page's top edge
// with its label cut off.
(function () {
  "use strict";

  function focusable(element) {
    if (element.matches("input, select, textarea, button, a[href], [tabindex]")) return element;
    element.setAttribute("tabindex", "-1"); // a form or a section named by a non-field error
    return element;
  }

  function init() {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) return;
    summary.focus();
    document.querySelectorAll("[data-error-summary]").forEach(function (each) {
      each.addEventListener("click", function (event) {
        var link = event.target.closest("a[href^='#']");
        if (!link) return;
        var target = document.getElementById(decodeURIComponent(link.hash.slice(1)));
        if (!target) return;
        event.preventDefault();
        target.scrollIntoView({ block: "center" });
        focusable(target).focus({ preventScroll: true });
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
