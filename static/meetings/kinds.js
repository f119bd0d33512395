// The meeting page's case section follows the kind chosen ([data-case-section] lists the kinds that
// take cases in data-case-kinds). Hidden, the section keeps what was typed: the server refuses cases
// on another kind with a message rather than dropping them. Without JavaScript the page offers
// 「種別を変更して表示し直す」 instead; with it that button is not needed and is removed.
(function () {
  "use strict";
  var section = document.querySelector("[data-case-section]");
  var select = document.getElementById("id_kind");
  if (!section || !select) {
    return;
  }
  var kinds = (section.getAttribute("data-case-kinds") || "").split(" ");
  var note = section.querySelector("[data-case-kind-note]");
  document.querySelectorAll("[data-rekind]").forEach(function (button) {
    button.remove();
  });
  select.addEventListener("change", function () {
    var takes = kinds.indexOf(select.value) !== -1;
    section.hidden = !takes;
    if (note) {
      note.hidden = takes;
    }
  });
})();
