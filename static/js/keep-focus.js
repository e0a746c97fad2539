/*
 * The keyboard's place across an htmx request.
 *
 * htmx gives the focus back to the element with the same id after a swap, but only if that element still
 * had the focus when the swap began: a button disabled for the request (hx-disabled-elt) has lost it by then
 * (a disabled element cannot keep the focus), so a keyboard user who pressed Enter on "Propose" or on a vote
 * was left at the top of the page. The id focused when a request starts is remembered, and once the response
 * is in (new content swapped, disabled buttons enabled again), the element with that id takes the focus back,
 * unless the person has moved it somewhere else meanwhile.
 *
 * Only for what the person asked for (a request set off by their own click, key or submit: a trusted event):
 * the page's own questions (polls, live regions, a refresh after a change) are left out. One asked while
 * "Propose" had the focus, and answered while a vote's button was disabled (the focus on the page itself),
 * gave the focus to "Propose", away from the vote the person was making.
 */
(function () {
  "use strict";

  var focusedIds = new WeakMap();

  document.addEventListener("htmx:beforeRequest", function (event) {
    var cause = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent;
    if (!cause || !cause.isTrusted) {
      return;
    }
    var focused = document.activeElement;
    if (focused && focused.id) {
      focusedIds.set(event.detail.xhr, focused.id);
    }
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var id = focusedIds.get(event.detail.xhr);
    var focused = document.activeElement;
    if (!id || (focused && focused !== document.body)) {
      return;
    }
    var element = document.getElementById(id);
    if (element) {
      element.focus({ preventScroll: true });
    }
  });
})();
