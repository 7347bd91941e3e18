// Resend buttons: count down the wait shown by the server, then enable the button.
// Without JavaScript the page still works: the button is enabled on the next page load.
(function () {
  document.querySelectorAll("form[data-countdown]").forEach(function (form) {
    var left = parseInt(form.getAttribute("data-countdown"), 10) || 0;
    var button = form.querySelector("button[type=submit]");
    var shown = form.querySelector("[data-countdown-seconds]");
    var note = form.querySelector(".account-resend__wait");
    if (!button || left <= 0) return;
    var timer = setInterval(function () {
      left -= 1;
      if (shown) shown.textContent = String(Math.max(left, 0));
      if (left <= 0) {
        clearInterval(timer);
        button.disabled = false;
        button.removeAttribute("aria-describedby");
        if (note) note.hidden = true;
      }
    }, 1000);
  });
})();
