// motcua submission wizard: progressive enhancements. Every page works without this file.
// * uploads: each picked file goes up on its own request with a progress bar; a refused file
//   shows the server's reason (rule and file name); a dropped connection loses only that file,
//   which gets a "Thử lại" (retry) button;
// * the page to fill shows its sections one at a time (all headers in view) and saves each section
//   as it is left, and a moment after typing stops; the first save makes the draft;
// * "same as" address boxes hide the address they replace; a parent's section is prefilled when
//   the requester says they are that parent (never over what was typed);
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
        // The server's "a file is needed here" from the last time the page was sent no longer holds.
        var stale = slot.querySelectorAll(".slot__error");
        for (var s = 0; s < stale.length; s++) { stale[s].remove(); }
        slot.classList.remove("slot--invalid");
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
        if (!form.getAttribute("data-upload-url") && form.motcuaEnsureDraft) {
          // The page to fill before its draft exists: the first save makes it, then the file goes.
          active++;
          form.motcuaEnsureDraft().then(function () { active--; send(); },
            function () { active--; running--; pump(); fail("Mất kết nối khi lưu hồ sơ nháp; bấm Thử lại.", true); });
          return;
        }
        url = form.getAttribute("data-upload-url");
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

  // --- "saved at" ----------------------------------------------------------------------------------------

  function markSaved() {
    var status = document.querySelector("[data-saved-status]");
    if (!status) { return; }
    var now = new Date();
    var hh = ("0" + now.getHours()).slice(-2), mm = ("0" + now.getMinutes()).slice(-2);
    status.removeAttribute("role");
    status.textContent = "Đã tự lưu nháp lúc " + hh + ":" + mm + ".";
  }

  // --- the page to fill: sections one at a time, each saved as it is left ------------------------

  function setupFill(form) {
    var sections = Array.prototype.slice.call(form.querySelectorAll("[data-fill-section]"));
    if (!sections.length) { return; }
    form.classList.add("fill--js");
    var chain = Promise.resolve();
    var pending = {};  // section index -> unsaved changes (kept until a save succeeds)
    var timers = {};

    function bodyOf(section) { return section.querySelector("[data-fill-body]"); }
    function buttonOf(section) { return section.querySelector("[data-fill-toggle]"); }

    function adopt(data) {
      // The first save made the draft: from now on the page speaks to it.
      if (!data || !data.form_url) { return; }
      if (form.getAttribute("action") !== data.form_url) {
        form.setAttribute("action", data.form_url);
        form.setAttribute("data-upload-url", data.upload_url);
        if (window.history && history.replaceState) { history.replaceState(null, "", data.form_url + location.hash); }
      }
    }

    function post(fields) {
      var data = new FormData();
      data.append("csrfmiddlewaretoken", csrfToken(form));
      data.append("_fill", "1");
      var token = form.querySelector("input[name=_token]");
      if (token) { data.append("_token", token.value); }
      for (var i = 0; i < fields.length; i++) { data.append(fields[i][0], fields[i][1]); }
      return fetch(form.getAttribute("action"), {method: "POST", body: data, credentials: "same-origin",
                   headers: {"X-Requested-With": "XMLHttpRequest", "X-CSRFToken": csrfToken(form), "Accept": "application/json"}})
        .then(function (r) {
          if (r.ok) { return r.json(); }
          // A refusal (4xx, 429) says why in `error`: show it, not the offline message.
          return r.json().catch(function () { return {}; }).then(function (body) {
            adopt(body);
            return Promise.reject({status: r.status, error: (body && body.error) || ""});
          });
        })
        .then(function (body) { adopt(body); return body; });
    }

    function fieldsOf(section) {
      var out = [];
      var all = new FormData(form);
      var names = {};
      var inputs = section.querySelectorAll("[name]");
      for (var i = 0; i < inputs.length; i++) {
        if (inputs[i].type !== "file") { names[inputs[i].name] = true; }
      }
      all.forEach(function (value, name) {
        if (names[name] && typeof value === "string") { out.push([name, value]); }
      });
      out.push(["_section_kind", section.getAttribute("data-kind")]);
      out.push(["_section", section.getAttribute("data-title") || ""]);
      return out;
    }

    var inflight = 0;

    function save(index) {
      if (!pending[index]) { return chain; }
      var section = sections[index];
      pending[index] = false;
      inflight++;
      chain = chain.then(function () { return post(fieldsOf(section)); }).then(function (body) {
        inflight--;
        markSaved();
        var note = section.querySelector("[data-fill-refusal]");
        if (note) { note.parentNode.removeChild(note); }
        return body;
      }, function (failure) {
        inflight--;
        var status = document.querySelector("[data-saved-status]");
        if (failure && failure.status && failure.error) {
          // The server answered and refused: its reason, in the part it is about (opened again)
          // and in the header; sent again on the next save only when waiting may help (429).
          pending[index] = failure.status === 429;
          if (status) { status.textContent = failure.error; status.setAttribute("role", "alert"); }
          var note = section.querySelector("[data-fill-refusal]");
          if (!note) {
            note = el("p", "invalid-feedback d-block", "");
            note.setAttribute("data-fill-refusal", "");
            bodyOf(section).insertBefore(note, bodyOf(section).firstChild);
          }
          note.textContent = failure.error;
          open(index, true);
          return;
        }
        pending[index] = true;  // offline: kept on the page, sent again on the next save or when back online
        if (status) { status.textContent = "Chưa lưu được (mất kết nối). Thông tin vẫn còn trên trang; sẽ lưu lại khi có mạng."; }
      });
      return chain;
    }

    form.motcuaEnsureDraft = function () {
      if (form.getAttribute("data-upload-url")) { return Promise.resolve(); }
      pending[0] = true;
      return save(0).then(function () {
        if (!form.getAttribute("data-upload-url")) { return Promise.reject(new Error("no draft")); }
      });
    };

    function open(index, focus) {
      for (var i = 0; i < sections.length; i++) {
        var shown = i === index;
        bodyOf(sections[i]).hidden = !shown;
        buttonOf(sections[i]).setAttribute("aria-expanded", shown ? "true" : "false");
        sections[i].classList.toggle("is-open", shown);
      }
      if (focus) {
        var head = buttonOf(sections[index]);
        head.focus();
        if (head.scrollIntoView) { head.scrollIntoView({block: "start"}); }
      }
    }

    function current() {
      for (var i = 0; i < sections.length; i++) { if (!bodyOf(sections[i]).hidden) { return i; } }
      return -1;
    }

    sections.forEach(function (section, index) {
      var head = section.querySelector("[data-fill-head]");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "fill-section__toggle";
      button.setAttribute("data-fill-toggle", "");
      button.setAttribute("aria-controls", bodyOf(section).id);
      while (head.firstChild) { button.appendChild(head.firstChild); }
      head.appendChild(button);
      button.addEventListener("click", function () {
        var was = current();
        if (was === index) { save(index); open(-1, false); return; }
        if (was >= 0) { save(was); }
        open(index, true);
      });
      var next = section.querySelector("[data-fill-next]");
      if (next) {
        next.parentNode.hidden = false;
        next.addEventListener("click", function () { save(index); open(index + 1, true); });
      }
      function changed() {
        pending[index] = true;
        if (timers[index]) { clearTimeout(timers[index]); }
        // Also saved a little after typing stops: a phone that loses the network loses nothing.
        timers[index] = setTimeout(function () { save(index); }, 4000);
      }
      section.addEventListener("input", changed);
      section.addEventListener("change", function (event) {
        if (event.target && event.target.type === "file") { return; }
        changed();
      });
    });
    var jsOnly = document.querySelectorAll("[data-js-only]");
    for (var j = 0; j < jsOnly.length; j++) { jsOnly[j].hidden = false; }
    window.addEventListener("online", function () {
      for (var k = 0; k < sections.length; k++) { save(k); }
    });
    form.addEventListener("submit", function (event) {
      for (var k in timers) { if (timers[k]) { clearTimeout(timers[k]); } }
      if (!form.getAttribute("data-upload-url") && !form.getAttribute("data-ensuring")) {
        // No draft yet: make it first, so that the page answers from the draft's own address.
        event.preventDefault();
        form.setAttribute("data-ensuring", "1");
        var first = event.submitter || null;
        var send = function () { if (form.requestSubmit) { form.requestSubmit(first); } else { form.submit(); } };
        form.motcuaEnsureDraft().then(send, send);
        return;
      }
      if (inflight > 0) {
        // A section is being saved (maybe the one that makes the draft): send the page after it,
        // to the draft's address, so that one draft is made.
        event.preventDefault();
        var submitter = event.submitter || null;
        chain.then(function () {
          if (form.requestSubmit) { form.requestSubmit(submitter); } else { form.submit(); }
        });
      }
    });
    // Open the first section with an error, the one the address names, else the first.
    var first = 0;
    var invalid = form.querySelector("[data-fill-section][data-invalid]");
    var target = location.hash ? document.getElementById(location.hash.slice(1)) : null;
    var chosen = invalid || (target && target.closest ? target.closest("[data-fill-section]") : null);
    if (chosen) { first = sections.indexOf(chosen); }
    open(first, false);
    if (invalid) {
      // The summary's links go into a closed section: open it first.
      var summary = document.getElementById("error-summary");
      if (summary) {
        summary.addEventListener("click", function (event) {
          var link = event.target.closest ? event.target.closest("a[href^='#']") : null;
          var el = link ? document.getElementById(link.getAttribute("href").slice(1)) : null;
          var owner = el && el.closest ? el.closest("[data-fill-section]") : null;
          if (owner) { open(sections.indexOf(owner), false); }
        });
      }
    }
  }

  // --- "same as" addresses, and prefill when the requester is the person ----------------------

  function setupHelpers(form) {
    function syncSame(box) {
      var block = box.closest("fieldset").querySelector("[data-address]");
      if (block) { block.hidden = box.checked; }
    }
    var boxes = form.querySelectorAll("[data-same-as]");
    for (var i = 0; i < boxes.length; i++) {
      syncSame(boxes[i]);
      boxes[i].addEventListener("change", function (event) { syncSame(event.target); });
    }
    function fillAddress(box, province, value) {
      // The province first; its communes load in place (eform.js), then the commune is picked.
      province.value = value.province || "";
      province.dispatchEvent(new Event("change", {bubbles: true}));
      var detail = box.querySelector("input[name$='-detail']");
      if (detail && !detail.value) { detail.value = value.detail || ""; }
      var tries = 0;
      (function pickCommune() {
        var commune = box.querySelector("[data-address-commune]");
        var option = commune && commune.tagName === "SELECT" ?
          commune.querySelector("option[value='" + String(value.commune || "").replace(/'/g, "") + "']") : null;
        if (option) {
          commune.value = value.commune;
          commune.dispatchEvent(new Event("change", {bubbles: true}));
        } else if (tries++ < 50) {
          setTimeout(pickCommune, 100);
        }
      })();
    }
    var prefilled = form.querySelectorAll("[data-prefill]");
    function applyPrefill() {
      for (var j = 0; j < prefilled.length; j++) {
        var box = prefilled[j];
        var rule;
        try { rule = JSON.parse(box.getAttribute("data-prefill")); } catch (e) { continue; }
        var picked = form.querySelectorAll('[name="' + rule.field + '"]');
        var holds = false;
        for (var k = 0; k < picked.length; k++) {
          var el = picked[k];
          var value = (el.type === "radio" || el.type === "checkbox") ? (el.checked ? el.value : null) : el.value;
          if (value !== null && rule.values.indexOf(value) >= 0) { holds = true; }
        }
        if (!holds || box.hasAttribute("data-prefill-done")) { continue; }
        box.setAttribute("data-prefill-done", "");  // once: a field emptied on purpose stays empty
        var input = box.querySelector("input[name='" + box.getAttribute("data-field") + "']");
        if (holds && input && !input.value && typeof rule.value === "string") {
          input.value = rule.value;  // never over what was typed; stays editable
          input.dispatchEvent(new Event("input", {bubbles: true}));
        }
        var province = box.querySelector("[data-address-province]");
        if (holds && province && !province.value && rule.value && typeof rule.value === "object") {
          fillAddress(box, province, rule.value);
        }
      }
    }
    form.addEventListener("change", applyPrefill);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var fills = document.querySelectorAll("form[data-fill]");
    for (var f = 0; f < fills.length; f++) { setupFill(fills[f]); setupHelpers(fills[f]); }
    var uploads = document.querySelectorAll("form[data-uploads]");
    for (var i = 0; i < uploads.length; i++) { setupUploads(uploads[i]); }
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
