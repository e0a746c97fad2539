/*
 * The propose form of a workshop step: the parts of the section chosen.
 *
 * Each structured section (persona, messaging matrix row, value proposition) has its parts in a
 * `<fieldset data-details-for="SECTION">`; the select with `data-details-switch` picks the section.
 * Only the chosen section's fieldset is shown and enabled, its parts required where `data-required`
 * says so; the others are hidden and disabled (a disabled field is neither checked by the browser nor
 * sent). Nothing is asked of the server, so whatever
 * someone typed stays. The form is swapped by htmx after each proposal: listening on the document
 * covers the new form too.
 */
(function () {
  "use strict";

  function showDetailsFor(select) {
    var form = select.form;
    if (!form) {
      return;
    }
    form.querySelectorAll("[data-details-for]").forEach(function (group) {
      var chosen = group.dataset.detailsFor === select.value;
      group.hidden = !chosen;
      group.querySelectorAll("input, textarea, select").forEach(function (field) {
        field.disabled = !chosen;
        field.required = chosen && field.dataset.required === "true";
      });
    });
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("[data-details-switch]")) {
      showDetailsFor(event.target);
    }
  });

  // A page restored from the browser's cache may show another section than the server rendered.
  function syncAll() {
    document.querySelectorAll("[data-details-switch]").forEach(showDetailsFor);
  }

  syncAll();
  document.addEventListener("htmx:afterSettle", syncAll);
})();
