// motcua admin, e-form builder: «Lên»/«Xuống» without a page load. The buttons are plain POST forms
// (they work without JavaScript); here each press is sent with fetch (Accept: application/json), the row
// is moved in the list, the numbers and the first/last buttons are updated, the focus stays on the moved
// row's button, and the server's sentence ("Đã chuyển «…» lên vị trí 3.") is read out by the live region.
// Anything unexpected (a redirect, a network error) falls back to the ordinary form submission; an answer
// that does not match the page (position, number of fields) reloads it.
(function () {
  "use strict";

  function rows(list) {
    return Array.prototype.filter.call(list.children, function (li) { return li.hasAttribute("data-key"); });
  }

  function refresh(list) {
    var all = rows(list);
    all.forEach(function (li, i) {
      var n = li.querySelector(".eb-field__n");
      if (n) { n.textContent = (i + 1) + "."; }
      var up = li.querySelector('[data-move="len"]');
      var down = li.querySelector('[data-move="xuong"]');
      if (up) { up.disabled = i === 0; }
      if (down) { down.disabled = i === all.length - 1; }
    });
  }

  function announce(live, text, bad) {
    if (!live) { return; }
    live.classList.toggle("eb-live--bad", !!bad);
    live.textContent = "";
    // A fresh text node after a tick, so that the same sentence twice is announced twice.
    window.setTimeout(function () { live.textContent = text; }, 50);
  }

  function move(list, li, direction) {
    var all = rows(list);
    var i = all.indexOf(li);
    if (direction === "len" && i > 0) {
      list.insertBefore(li, all[i - 1]);
    } else if (direction === "xuong" && i < all.length - 1) {
      list.insertBefore(li, all[i + 1].nextSibling);
    }
  }

  function keepFocus(li, direction) {
    var same = li.querySelector('[data-move="' + direction + '"]');
    var other = li.querySelector('[data-move="' + (direction === "len" ? "xuong" : "len") + '"]');
    var target = same && !same.disabled ? same : other;
    if (target) { target.focus(); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var list = document.querySelector("[data-reorder]");
    if (!list || !window.fetch || !window.FormData) { return; }
    var live = document.getElementById("eb-live");
    var busy = false;
    list.addEventListener("click", function (event) {
      var button = event.target.closest ? event.target.closest("[data-move]") : null;
      if (!button || button.disabled) { return; }
      var form = button.form;
      var li = button.closest("li[data-key]");
      if (!form || !li) { return; }
      event.preventDefault();
      if (busy) { return; }
      busy = true;
      var direction = button.getAttribute("data-move");
      var body = new FormData(form);
      body.set("huong", direction);
      list.setAttribute("aria-busy", "true");
      fetch(form.action, {
        method: "POST", body: body, credentials: "same-origin", redirect: "manual",
        headers: { "Accept": "application/json", "X-Requested-With": "fetch" }
      }).then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") < 0) { throw new Error("not json"); }
        return response.json();
      }).then(function (answer) {
        if (answer.ok) {
          move(list, li, direction);
          // The server says where the field is now and how many there are; a page that disagrees (another
          // admin changed the form meanwhile) is stale: load it again rather than show a wrong order.
          var now = rows(list);
          if (now.indexOf(li) + 1 !== answer.position || now.length !== answer.count) {
            window.location.reload();
            return;
          }
          refresh(list);
          keepFocus(li, direction);
        } else {
          button.focus();
        }
        announce(live, answer.message || "", !answer.ok);
      }).catch(function () {
        // The page way: submit the form with the button pressed (the server redirects back).
        var hidden = document.createElement("input");
        hidden.type = "hidden";
        hidden.name = "huong";
        hidden.value = direction;
        form.appendChild(hidden);
        form.submit();
      }).then(function () {
        busy = false;
        list.removeAttribute("aria-busy");
      });
    });
  });
})();
