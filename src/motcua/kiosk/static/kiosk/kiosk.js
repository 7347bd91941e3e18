/* The kiosk's behaviour, in a static file (no inline script, so a strict CSP works).
 *
 * 1. The scan input is where a USB barcode reader types: it is focused on load, and any
 *    printable key typed while focus is on nothing that takes text goes to it (so a scan works
 *    whatever was touched before). Tab still moves through links and buttons for keyboard users.
 * 2. After data-idle-seconds without a touch, key or pointer move, the kiosk goes back to its
 *    start screen (data-home-url), so the next person never sees the previous person's lookup.
 *    The last 10 seconds show a notice; any touch cancels it.
 */
(function () {
  "use strict";
  var body = document.body;
  var idleSeconds = parseInt(body.getAttribute("data-idle-seconds"), 10) || 60;
  var home = body.getAttribute("data-home-url") || "/kiosk/";
  var input = document.querySelector("[data-scan-input]");
  var notice = document.querySelector("[data-idle-notice]");
  var count = document.querySelector("[data-idle-count]");
  var warnAt = Math.min(10, Math.max(1, Math.floor(idleSeconds / 3)));
  var deadline = 0;
  var ticker = null;

  function takesText(el) {
    if (!el) return false;
    var tag = el.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || el.isContentEditable;
  }

  function atHome() {
    return window.location.pathname === home && !window.location.search && !(input && input.value);
  }

  function goHome() {
    if (atHome()) {
      if (input) { input.value = ""; input.focus(); }
      reset();
      return;
    }
    window.location.replace(home);
  }

  function tick() {
    var left = Math.ceil((deadline - Date.now()) / 1000);
    if (left <= 0) { goHome(); return; }
    if (notice) {
      if (left <= warnAt) {
        if (count) count.textContent = String(left);
        notice.hidden = false;
      } else {
        notice.hidden = true;
      }
    }
  }

  function reset() {
    deadline = Date.now() + idleSeconds * 1000;
    if (notice) notice.hidden = true;
  }

  ["pointerdown", "keydown", "touchstart", "wheel", "input"].forEach(function (type) {
    document.addEventListener(type, reset, { passive: true, capture: true });
  });

  document.addEventListener("keydown", function (event) {
    if (!input || event.ctrlKey || event.altKey || event.metaKey) return;
    if (event.key && event.key.length === 1 && !takesText(document.activeElement)) {
      input.focus();  // the character that follows lands in the scan input
    }
  }, true);

  if (input && !takesText(document.activeElement)) {
    input.focus();
  }
  reset();
  ticker = window.setInterval(tick, 250);
  window.addEventListener("pagehide", function () { window.clearInterval(ticker); });
})();
