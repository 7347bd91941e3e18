// The payment page while the gateway has not answered: ask the server every few seconds and, when
// the state changes, say so in the page's live region with a link to the result. The page is never
// reloaded by itself (no meta refresh: WCAG 2.2.1, axe "meta-refresh"); without JavaScript the
// "Cập nhật trạng thái" link does the same.
(function () {
  "use strict";
  var watch = document.querySelector("[data-payment-status-url]");
  if (!watch || !window.fetch) {
    return;
  }
  var url = watch.getAttribute("data-payment-status-url");
  var state = watch.getAttribute("data-payment-state");
  var notice = document.querySelector("[data-payment-changed]");
  var every = 5000;
  var until = Date.now() + 20 * 60 * 1000; // longer than a payment stays open
  function ask() {
    if (Date.now() > until) {
      return;
    }
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) {
        if (answer && answer.state && answer.state !== state) {
          if (notice) {
            notice.hidden = false;
          }
          return;
        }
        window.setTimeout(ask, every);
      })
      .catch(function () { window.setTimeout(ask, every * 2); });
  }
  window.setTimeout(ask, every);
})();
