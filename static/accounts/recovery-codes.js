// The recovery-code page: print the codes, or save them as a text file. The codes exist only in this
// page (the server keeps them hashed), so the file is made here from the list shown, never fetched.
(function () {
  "use strict";
  const list = document.querySelector("[data-testid='recovery-codes']");
  if (!list) return;
  const codes = Array.from(list.querySelectorAll("li"), (item) => item.textContent.trim());

  const print = document.querySelector("[data-recovery-print]");
  if (print) {
    print.hidden = false;
    print.addEventListener("click", () => window.print());
  }

  const save = document.querySelector("[data-recovery-download]");
  if (save) {
    save.hidden = false;
    save.addEventListener("click", () => {
      const text = [save.dataset.heading, "", ...codes, ""].join("\r\n");
      const url = URL.createObjectURL(new Blob(["\ufeff" + text], { type: "text/plain;charset=utf-8" }));
      const link = document.createElement("a");
      link.href = url;
      link.download = save.dataset.filename;
      document.body.appendChild(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
    });
  }
})();
