// motcua back office: small progressive enhancements. Every page works without this file.
// * the error summary takes the focus, so a screen reader reads what to fix first;
// * file inputs become drop zones: dropped files join the picked ones, each listed with a
//   remove button and a warning for a type or size the server will refuse (the server checks
//   again, by content); picking files ticks the component's "present" box;
// * the counter form's amount to collect follows the fee inputs as they are typed.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.getElementById("error-summary");
    if (summary) {
      summary.focus();
    }
    var zones = document.querySelectorAll("[data-dropzone]");
    for (var i = 0; i < zones.length; i++) {
      enhance(zones[i]);
    }
  });

  var OK_TYPES = ["pdf", "jpg", "jpeg", "png", "tif", "tiff"];
  var MAX_MB = 20;

  function sizeText(bytes) {
    if (bytes < 1024 * 1024) { return Math.max(1, Math.round(bytes / 1024)) + " KB"; }
    return (bytes / 1024 / 1024).toFixed(1).replace(".", ",") + " MB";
  }

  function enhance(zone) {
    var input = zone.querySelector("input[type=file]");
    var list = zone.querySelector("[data-dropzone-list]");
    if (!input || !list || typeof DataTransfer === "undefined") { return; }
    var hint = zone.querySelector(".dropzone__hint");
    var maxMb = parseInt(zone.getAttribute("data-max-mb") || MAX_MB, 10);

    function setFiles(files) {
      var dt = new DataTransfer();
      for (var i = 0; i < files.length; i++) { dt.items.add(files[i]); }
      input.files = dt.files;
      render();
    }

    function render() {
      list.innerHTML = "";
      var files = input.files;
      for (var i = 0; i < files.length; i++) {
        (function (index, file) {
          var li = document.createElement("li");
          var name = document.createElement("span");
          name.textContent = file.name + " (" + sizeText(file.size) + ")";
          var ext = (file.name.split(".").pop() || "").toLowerCase();
          if (OK_TYPES.indexOf(ext) < 0 || file.size > maxMb * 1024 * 1024) {
            var warn = document.createElement("span");
            warn.className = "dropzone__warn";
            warn.textContent = " – " + (file.size > maxMb * 1024 * 1024
              ? "lớn hơn " + maxMb + " MB, sẽ bị từ chối"
              : "không phải PDF, JPEG, PNG, TIFF, sẽ bị từ chối");
            name.appendChild(warn);
          }
          var remove = document.createElement("button");
          remove.type = "button";
          remove.className = "btn btn-sm btn-outline-primary";
          remove.textContent = "Bỏ tệp";
          remove.setAttribute("aria-label", "Bỏ tệp " + file.name);
          remove.addEventListener("click", function () {
            var kept = [];
            for (var j = 0; j < input.files.length; j++) { if (j !== index) { kept.push(input.files[j]); } }
            setFiles(kept);
            input.focus();
          });
          li.appendChild(name);
          li.appendChild(remove);
          list.appendChild(li);
        })(i, files[i]);
      }
      var tick = input.getAttribute("data-tick");
      if (tick && files.length) {
        var box = document.getElementById(tick);
        if (box) { box.checked = true; }
      }
    }

    input.addEventListener("change", render);
    zone.addEventListener("dragover", function (event) {
      event.preventDefault();
      zone.classList.add("dropzone--over");
    });
    zone.addEventListener("dragleave", function () { zone.classList.remove("dropzone--over"); });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      zone.classList.remove("dropzone--over");
      if (!event.dataTransfer || !event.dataTransfer.files.length) { return; }
      var all = [];
      for (var i = 0; i < input.files.length; i++) { all.push(input.files[i]); }
      for (var j = 0; j < event.dataTransfer.files.length; j++) { all.push(event.dataTransfer.files[j]); }
      setFiles(all);
      if (hint) { hint.setAttribute("data-dropped", "1"); }
    });
  }

  // The counter form: the amount to collect follows the fee inputs (copies, pages, kind) as they
  // are typed; "Tính lại lệ phí" does the same without this script.
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("counter-form");
    var url = form && form.getAttribute("data-fee-amount-url");
    if (!url || !form.querySelector("[data-fee-input]")) { return; }
    var timer = null;
    function update() {
      var params = new URLSearchParams();
      var fields = form.querySelectorAll("[data-fee-input]");
      for (var i = 0; i < fields.length; i++) {
        var f = fields[i];
        if (f.type === "radio" && !f.checked) { continue; }
        params.set(f.name, f.value);
      }
      fetch(url + "?" + params.toString(), {credentials: "same-origin", headers: {"Accept": "application/json"}})
        .then(function (r) { return r.json(); })
        .then(function (data) {
          if (data.errors && Object.keys(data.errors).length) { return; }  // the server says it on submit
          var due = form.querySelector("#thu-phi .bo-fee");
          if (due && data.html) {
            var box = document.createElement("div");
            box.innerHTML = data.html;
            if (box.firstElementChild) { due.replaceWith(box.firstElementChild); }
          }
          var amount = form.querySelector("[name=fee_amount]");
          if (amount) { amount.value = String(data.due_vnd); }
          var basis = form.querySelector("[name=fee_basis]");
          if (basis) { basis.value = data.basis; }
          var live = form.querySelector("[data-fee-live]");
          if (live) { live.textContent = data.text || ""; }
        })
        .catch(function () { /* the "Tính lại lệ phí" button still works */ });
    }
    form.addEventListener("input", function (event) {
      if (!event.target.hasAttribute("data-fee-input")) { return; }
      clearTimeout(timer);
      timer = setTimeout(update, 300);
    });
    form.addEventListener("change", function (event) {
      if (event.target.hasAttribute("data-fee-input")) { clearTimeout(timer); update(); }
    });
  });
})();
