/*
 * A workshop's live regions ([data-live-every]: the proposals, the board) ask the server again as soon as
 * they have their answer. The server holds a question whose answer has not changed until it changes
 * (workshops/live_wait.py), so the next one goes out right away; a server that answers at once (it cannot
 * wait) is asked again data-live-every ms after the last question: the old polling. After a failure the
 * region waits two seconds. A region redrawn by its answer asks again by its own "load" trigger.
 * The person's own change ("workshop-changed") asks nothing more while a question is out (htmx drops it, its
 * default): the question out wakes with that change. (Aborting it instead, hx-sync "replace", logs errors.)
 * While a write made from inside a region is out (a vote), the region's own question, woken by that very write,
 * may come back first: its answer is dropped, so the write's answer (the region as it is after the write, with
 * any message) is the one that draws it. A region replaced meanwhile would drop the write's answer instead.
 */
(function () {
  const RETRY_MS = 2000;

  // The live region a write (anything but a GET) is made from, if any.
  const writtenFrom = (event) => {
    const elt = event.detail.elt;
    const verb = (event.detail.requestConfig || {}).verb;
    if (!verb || verb === "get" || !elt.closest) return null;
    const region = elt.closest("[data-live-every]");
    return region && region !== elt ? region : null;
  };

  document.addEventListener("htmx:beforeRequest", (event) => {
    const host = writtenFrom(event);
    if (host) host.liveWrites = (host.liveWrites || 0) + 1;
    const region = event.detail.elt;
    if (!region.dataset || !region.dataset.liveEvery) return;
    clearTimeout(region.liveTimer);
    region.liveAskedAt = performance.now();
  });

  document.addEventListener("htmx:afterRequest", (event) => {
    const host = writtenFrom(event);
    if (host) host.liveWrites = Math.max(0, (host.liveWrites || 0) - 1);
    const region = event.detail.elt;
    if (!region.dataset || !region.dataset.liveEvery || !region.isConnected) return;
    const every = Number(region.dataset.liveEvery);
    const wait = event.detail.successful
      ? Math.max(0, every - (performance.now() - (region.liveAskedAt || 0)))
      : RETRY_MS;
    clearTimeout(region.liveTimer);
    region.liveTimer = setTimeout(() => htmx.trigger(region, "live-next"), wait);
  });

  // The answer to a region's own question (not to a write made from inside it, which swaps into the region
  // too) is dropped when the region has since been replaced (a vote redrew it) or has a write of its own out.
  document.addEventListener("htmx:beforeSwap", (event) => {
    const region = event.detail.elt;
    if (!region.dataset || !region.dataset.liveEvery) return;
    if ((event.detail.requestConfig || {}).verb !== "get") return;
    if (!region.isConnected || region.liveWrites > 0) event.detail.shouldSwap = false;
  });
})();
