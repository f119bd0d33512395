// The sheet page's print button (no inline handlers: see CONTRIBUTING).
document.querySelectorAll("[data-print-page]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
