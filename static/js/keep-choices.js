/*
 * A choice made in a select inside a polled region (a poker pick, the board's "Merge into") survives the
 * region's next poll. The proposals and the board are drawn again every 0.3 s when anything changed; without
 * this, a value picked a moment before clicking its button could be reset by the swap, and the default sent
 * instead. The value a person chose is put back into the new select with the same id, as long as that choice
 * is still offered, until the form it belongs to is submitted.
 */
(function () {
  "use strict";

  var chosen = {};

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.tagName === "SELECT" && target.id) {
      chosen[target.id] = target.value;
    }
  });

  document.addEventListener(
    "submit",
    function (event) {
      Array.prototype.forEach.call(event.target.querySelectorAll("select[id]"), function (select) {
        delete chosen[select.id];
      });
    },
    true
  );

  document.addEventListener("htmx:afterSwap", function () {
    Object.keys(chosen).forEach(function (id) {
      var select = document.getElementById(id);
      if (!select || select.value === chosen[id]) {
        return;
      }
      var offered = Array.prototype.some.call(select.options, function (option) {
        return option.value === chosen[id];
      });
      if (offered) {
        select.value = chosen[id];
      }
    });
  });
})();
