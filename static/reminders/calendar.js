// The calendar feed page's copy button (no inline handlers: see CONTRIBUTING). Without the clipboard
// API (a page not served over HTTPS), the URL is selected for the user to copy.
document.querySelectorAll("[data-copy]").forEach((button) => {
  button.addEventListener("click", async () => {
    const target = document.getElementById(button.dataset.copy);
    if (!target) return;
    try {
      await navigator.clipboard.writeText(target.textContent.trim());
      button.textContent = "コピーしました";
    } catch {
      const range = document.createRange();
      range.selectNodeContents(target);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      button.textContent = "選択しました（Ctrl+C でコピー）";
    }
  });
});
