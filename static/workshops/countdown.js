/*
 * A workshop step's timer, counting down on every screen.
 *
 * The server renders each timer as an element with `data-countdown` and `data-seconds-left` (from the
 * step's end time it stores), and a `[data-countdown-text]` inside it. When this script first sees such
 * an element it fixes the deadline on this computer's clock (now + seconds left), so a wrong clock on a
 * laptop does not matter; the live agenda bar re-renders the element when anything changes, and a reload
 * renders it afresh, both from the server's end time. At zero it says "Time is up": the step stays open
 * until the facilitator closes it.
 *
 * No inline script anywhere: the page only includes this file (a Content-Security-Policy without
 * 'unsafe-inline' is planned).
 */
(function () {
  "use strict";

  var TICK_MS = 250;

  function clock(seconds) {
    var hours = Math.floor(seconds / 3600);
    var minutes = Math.floor((seconds % 3600) / 60);
    var rest = seconds % 60;
    var mm = hours ? String(minutes).padStart(2, "0") : String(minutes);
    return (hours ? hours + ":" : "") + mm + ":" + String(rest).padStart(2, "0");
  }

  function show(timer, now) {
    if (!timer.dataset.deadline) {
      var secondsLeft = Number(timer.dataset.secondsLeft) || 0;
      timer.dataset.deadline = String(now + secondsLeft * 1000);
    }
    var left = Math.max(0, Math.ceil((Number(timer.dataset.deadline) - now) / 1000));
    var text = timer.querySelector("[data-countdown-text]");
    if (!text) {
      return;
    }
    if (left > 0) {
      text.textContent = clock(left) + " left";
      return;
    }
    if (timer.dataset.timeUp !== "true" || text.textContent.trim() !== "Time is up") {
      text.textContent = "Time is up";
      timer.dataset.timeUp = "true";
      timer.classList.remove("text-primary");
      timer.classList.add("text-danger");
    }
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-countdown]").forEach(function (timer) {
      show(timer, now);
    });
  }

  tick();
  window.setInterval(tick, TICK_MS);
  document.addEventListener("htmx:afterSettle", tick);
})();
