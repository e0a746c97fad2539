// The survey form is sent once: a second click (or tap) while it is on its way does nothing.
// The server stores one answer per link anyway; this only spares the customer a second request.
document.addEventListener("submit", (event) => {
  const form = event.target.closest("[data-survey-form]");
  if (!form) return;
  if (form.dataset.sending === "true") {
    event.preventDefault();
    return;
  }
  form.dataset.sending = "true";
  form.querySelectorAll("[data-submit-once]").forEach((button) => {
    button.setAttribute("aria-disabled", "true");
    button.classList.add("disabled");
  });
});
