// motcua submission wizard: progressive enhancements. Every page works without this file.
// * uploads: each picked file goes up on its own request with a progress bar; a refused file
//   shows the server's reason (rule and file name); a dropped connection loses only that file,
//   which gets a "Thử lại" (retry) button;
// * the e-form saves itself a moment after each change (the draft is also saved by every step);
// * the error summary takes the focus; confirm buttons ask first; the submit button cannot be
//   pressed twice (the server is idempotent anyway).
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function csrfToken(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function sizeText(bytes) {
    if (bytes < 1024 * 1024) { return Math.max(1, Math.round(bytes / 1024)) + " KB"; }
    return (bytes / 1024 / 1024).toFixed(1).replace(".", ",") + " MB";
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  // --- uploads ------------------------------------------------------------------------------------

  var active = 0;

  function setupUploads(form) {
    var url = form.getAttribute("data-upload-url");
    var maxBytes = parseInt(form.getAttribute("data-max-bytes") || "0", 10);
    var maxMb = form.getAttribute("data-max-mb") || "";
    var queue = [];
    var running = 0;
    var LIMIT = 2;

    function pump() {
      while (running < LIMIT && queue.length) {
        running++;
        queue.shift()();
      }
    }

    function upload(slot, file, item) {
      var list = slot.querySelector("[data-file-list]");
      var component = slot.getAttribute("data-component");
      item = item || el("li", "file-item");
      item.className = "file-item is-uploading";
      item.innerHTML = "";
      var name = el("span", "file-item__name", file.name);
      var meta = el("span", "file-item__meta", sizeText(file.size));
      name.appendChild(meta);
      var bar = el("progress", "file-item__bar");
      bar.max = 100; bar.value = 0;
      bar.setAttribute("aria-label", "Đang tải " + file.name);
      var status = el("span", "file-item__status", "Đang chờ…");
      item.appendChild(name); item.appendChild(bar); item.appendChild(status);
      if (!item.parentNode) { list.appendChild(item); }

      function fail(message, canRetry) {
        item.className = "file-item is-error";
        bar.remove();
        status.className = "file-item__status file-item__error";
        status.setAttribute("role", "alert");
        status.textContent = message;
        var again = el("button", "btn btn-sm btn-outline-primary", canRetry ? "Thử lại" : "Bỏ qua");
        again.type = "button";
        again.setAttribute("aria-label", (canRetry ? "Thử lại tệp " : "Bỏ qua tệp ") + file.name);
        again.addEventListener("click", function () {
          if (canRetry) { start(); } else { item.remove(); }
        });
        item.appendChild(again);
      }

      function done(data) {
        item.className = "file-item is-done";
        item.setAttribute("data-file-id", data.file.id);
        item.innerHTML = "";
        var label = el("span", "file-item__name");
        var link = el("a", "", data.file.name);
        link.href = data.file.url; link.target = "_blank"; link.rel = "noopener";
        label.appendChild(link);
        label.appendChild(el("span", "file-item__meta", sizeText(data.file.size) + " · đã lưu"));
        var remove = el("button", "btn btn-sm btn-outline-secondary", "Bỏ");
        remove.type = "submit";
        remove.setAttribute("formaction", data.file.remove_url);
        remove.setAttribute("formnovalidate", "");
        remove.setAttribute("aria-label", "Bỏ " + data.file.name);
        item.appendChild(label); item.appendChild(remove);
        markSaved();
      }

      function start() {
        item.className = "file-item is-uploading";
        if (!bar.parentNode) {
          item.innerHTML = "";
          item.appendChild(name); item.appendChild(bar); item.appendChild(status);
        }
        status.className = "file-item__status";
        status.removeAttribute("role");
        status.textContent = "Đang chờ…";
        bar.value = 0;
        queue.push(send);
        pump();
      }

      function send() {
        active++;
        status.textContent = "Đang tải lên…";
        var data = new FormData();
        data.append("component", component);
        data.append("size", String(file.size));
        data.append("file", file, file.name);
        var xhr = new XMLHttpRequest();
        xhr.open("POST", url);
        xhr.setRequestHeader("X-CSRFToken", csrfToken(form));
        xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
        xhr.setRequestHeader("X-File-Name", encodeURIComponent(file.name));
        xhr.timeout = 10 * 60 * 1000;
        xhr.upload.onprogress = function (event) {
          if (event.lengthComputable) {
            bar.value = Math.round(event.loaded * 100 / event.total);
            status.textContent = bar.value + "%";
          }
        };
        function finish() { active--; running--; pump(); }
        xhr.onload = function () {
          finish();
          var body = null;
          try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
          if (xhr.status === 201 && body && body.file) { done(body); return; }
          if (body && body.error) { fail(body.error, !!body.retry); return; }
          fail("Tải «" + file.name + "» không thành công (lỗi " + xhr.status + "). Hãy thử lại.", true);
        };
        xhr.onerror = function () {
          finish();
          fail("Mất kết nối khi tải «" + file.name + "». Các tệp khác không bị ảnh hưởng; bấm Thử lại.", true);
        };
        xhr.ontimeout = xhr.onerror;
        xhr.onabort = xhr.onerror;
        xhr.send(data);
      }

      if (maxBytes && file.size > maxBytes) {
        fail("Tệp «" + file.name + "» (" + sizeText(file.size) + ") lớn hơn giới hạn " + maxMb + " MB mỗi tệp.", false);
        return;
      }
      if (file.size === 0) {
        fail("Tệp «" + file.name + "» rỗng (0 byte).", false);
        return;
      }
      start();
    }

    var slots = form.querySelectorAll("[data-slot]");
    for (var i = 0; i < slots.length; i++) {
      (function (slot) {
        var input = slot.querySelector("input[type=file]");
        if (!input) { return; }
        input.addEventListener("change", function () {
          var files = Array.prototype.slice.call(input.files || []);
          for (var j = 0; j < files.length; j++) { upload(slot, files[j]); }
          input.value = "";
        });
      })(slots[i]);
    }

    form.addEventListener("submit", function (event) {
      if (active > 0 || queue.length > 0) {
        event.preventDefault();
        alert("Đang tải tệp lên; hãy chờ tải xong rồi bấm lại.");
      }
    });
  }

  // --- autosave of the e-form ------------------------------------------------------------------------

  function markSaved() {
    var status = document.querySelector("[data-saved-status]");
    if (!status) { return; }
    var now = new Date();
    var hh = ("0" + now.getHours()).slice(-2), mm = ("0" + now.getMinutes()).slice(-2);
    status.textContent = "Đã tự lưu nháp lúc " + hh + ":" + mm + ".";
  }

  function setupAutosave(form) {
    var timer = null;
    var dirty = false;
    function save() {
      if (!dirty) { return; }
      dirty = false;
      var data = new FormData(form);
      data.append("_autosave", "1");
      fetch(form.action, {method: "POST", body: data, credentials: "same-origin",
                          headers: {"X-Requested-With": "XMLHttpRequest", "X-CSRFToken": csrfToken(form)}})
        .then(function (r) { if (r.ok) { markSaved(); } else { dirty = true; } })
        .catch(function () { dirty = true; });
    }
    function later() {
      dirty = true;
      if (timer) { clearTimeout(timer); }
      timer = setTimeout(save, 1500);
    }
    form.addEventListener("input", later);
    form.addEventListener("change", later);
    form.addEventListener("submit", function () { if (timer) { clearTimeout(timer); } dirty = false; });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var uploads = document.querySelectorAll("form[data-uploads]");
    for (var i = 0; i < uploads.length; i++) { setupUploads(uploads[i]); }
    var autosaves = document.querySelectorAll("form[data-autosave]");
    for (var k = 0; k < autosaves.length; k++) { setupAutosave(autosaves[k]); }
    var summary = document.getElementById("error-summary");
    if (summary) { summary.focus(); }
    document.addEventListener("click", function (event) {
      var button = event.target.closest ? event.target.closest("[data-confirm]") : null;
      if (button && !window.confirm(button.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
    var once = document.querySelectorAll("form[data-submit-once]");
    for (var j = 0; j < once.length; j++) {
      once[j].addEventListener("submit", function (event) {
        var form = event.currentTarget;
        if (form.getAttribute("data-sent")) { event.preventDefault(); return; }
        form.setAttribute("data-sent", "1");
        var button = form.querySelector("[data-busy-text]");
        if (button) {
          // Disable after the browser has collected the form's values.
          setTimeout(function () { button.disabled = true; button.textContent = button.getAttribute("data-busy-text"); }, 0);
        }
      });
    }
  });
})();
