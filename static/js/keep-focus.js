/*
 * The keyboard's place across an htmx request.
 *
 * htmx gives the focus back to the element with the same id after a swap, but only if that element still
 * had the focus when the swap began: a button disabled for the request (hx-disabled-elt) has lost it by then
 * (a disabled element cannot keep the focus), so a keyboard user who pressed Enter on "Propose" or on a vote
 * was left at the top of the page. The id focused when a request starts is remembered, and once the response
 * is in (new content swapped, disabled buttons enabled again), the element with that id takes the focus back,
 * unless the person has moved it somewhere else meanwhile.
 */
(function () {
  "use strict";

  var focusedIds = new WeakMap();

  document.addEventListener("htmx:beforeRequest", function (event) {
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
