// motcua admin, e-form builder: while adding a field, suggest its key from the label as the admin types
// (the server does the same when the key is left empty). Stops suggesting once the key is edited by hand.
// Also shows the «Tên mục mới» box only when «+ Mục mới» is chosen as the PDF section (without
// JavaScript both are shown; the server reads the name only with that choice or with no section chosen).
(function () {
  "use strict";
  function keyOf(label) {
    var text = label.replace(/đ/g, "d").replace(/Đ/g, "D").normalize("NFD").replace(/[\u0300-\u036f]/g, "");
    var key = text.toLowerCase().replace(/[^a-z0-9]+/g, " ").trim().split(/\s+/).join("_").slice(0, 40);
    key = key.replace(/_+$/, "");
    if (key && !/^[a-z]/.test(key)) { key = "truong_" + key; }
    return key;
  }
  function sectionPicker() {
    var select = document.getElementById("id_pdf_section");
    var typed = document.getElementById("id_pdf_section_new");
    if (!select || !typed) { return; }
    var box = typed.closest(".mb-3") || typed.parentNode;
    function sync() {
      var show = select.value === "__moi__" || typed.value !== "" || typed.classList.contains("is-invalid");
      box.hidden = !show;
    }
    select.addEventListener("change", function () {
      sync();
      if (select.value === "__moi__") { typed.focus(); }
    });
    sync();
  }
  document.addEventListener("DOMContentLoaded", sectionPicker);
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-suggest-key]");
    if (!form) { return; }
    var label = form.querySelector("#id_label");
    var key = form.querySelector("#id_key");
    if (!label || !key) { return; }
    var taken = (form.getAttribute("data-suggest-key") || "").split(" ");
    var manual = key.value !== "";
    function unique(base) {
      if (!base || taken.indexOf(base) < 0) { return base; }
      for (var n = 2; ; n++) { if (taken.indexOf(base + "_" + n) < 0) { return base + "_" + n; } }
    }
    key.addEventListener("input", function () { manual = key.value !== ""; });
    label.addEventListener("input", function () {
      if (!manual) { key.value = unique(keyOf(label.value)); }
    });
  });
})();
