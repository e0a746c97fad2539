/*
 * A workshop's live regions ([data-live-every]: the proposals, the board) ask the server again as soon as
 * they have their answer. The server holds a question whose answer has not changed until it changes
 * (workshops/live_wait.py), so the next one goes out right away; a server that answers at once (it cannot
 * wait) is asked again data-live-every ms after the last question: the old polling. After a failure the
 * region waits two seconds. A region redrawn by its answer asks again by its own "load" trigger.
 * The person's own change ("workshop-changed") asks nothing more while a question is out (htmx drops it, its
 * default): the question out wakes with that change. (Aborting it instead, hx-sync "replace", logs errors.)
 */
(function () {
  const RETRY_MS = 2000;

  document.addEventListener("htmx:beforeRequest", (event) => {
    const region = event.detail.elt;
    if (!region.dataset || !region.dataset.liveEvery) return;
    clearTimeout(region.liveTimer);
    region.liveAskedAt = performance.now();
  });

  document.addEventListener("htmx:afterRequest", (event) => {
    const region = event.detail.elt;
    if (!region.dataset || !region.dataset.liveEvery || !region.isConnected) return;
    const every = Number(region.dataset.liveEvery);
    const wait = event.detail.successful
      ? Math.max(0, every - (performance.now() - (region.liveAskedAt || 0)))
      : RETRY_MS;
    clearTimeout(region.liveTimer);
    region.liveTimer = setTimeout(() => htmx.trigger(region, "live-next"), wait);
  });

  // The answer to a question asked by a region that has since been replaced (a vote redrew it) is dropped.
  document.addEventListener("htmx:beforeSwap", (event) => {
    const region = event.detail.elt;
    if (region.dataset && region.dataset.liveEvery && !region.isConnected) event.detail.shouldSwap = false;
  });
})();
