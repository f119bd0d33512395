// A text box keeps its maxlength (the browser stops typing at the limit, and the limit is announced),
// but a paste longer than the room left is cut by the browser without a word: a 10,000-character title
// became its first 200 characters. Here the cut is said beside the field, in the field's name, and the
// message is tied to the field with aria-describedby. The server refuses anything longer on its own
// (core.forms.NamedErrorsMixin: 「件名は200文字以内で入力してください（現在 10000 文字）。」).
(function () {
  "use strict";

  function fieldName(field) {
    var label = field.labels && field.labels.length ? field.labels[0].textContent : "";
    label = (label || field.getAttribute("aria-label") || "").replace(/\*/g, "").trim();
    return label || "この欄";
  }

  function noticeFor(field) {
    var id = (field.id || field.name) + "_length";
    var notice = document.getElementById(id);
    if (!notice) {
      notice = document.createElement("div");
      notice.id = id;
      notice.className = "form-text text-danger length-notice";
      notice.setAttribute("role", "status");
      field.insertAdjacentElement("afterend", notice);
      var described = (field.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      described.push(id);
      field.setAttribute("aria-describedby", described.join(" "));
    }
    return notice;
  }

  document.addEventListener("paste", function (event) {
    var field = event.target;
    if (!(field instanceof HTMLInputElement || field instanceof HTMLTextAreaElement)) return;
    var limit = field.maxLength;
    if (!(limit > 0) || !event.clipboardData) return;
    var pasted = event.clipboardData.getData("text/plain");
    var selected = (field.selectionEnd || 0) - (field.selectionStart || 0);
    var room = limit - field.value.length + selected;
    if (pasted.length <= room) return;
    noticeFor(field).textContent =
      fieldName(field) + "は" + limit + "文字以内です。貼り付けた " + pasted.length + " 文字のうち、" +
      (pasted.length - Math.max(room, 0)) + " 文字は入力されていません。";
  });
})();
