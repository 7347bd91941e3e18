// motcua e-forms: progressive enhancement of a server-rendered e-form (motcua.eforms.rendering).
// Without this file every field shows, with a hint saying when to fill it; the server drops the
// fields that do not apply. With it:
// * fields with a show_if condition show only when their condition holds (chains too);
// * choosing a province loads its communes in place (the "refresh" button is for no-JS use).
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function valuesOf(form, name) {
    var out = [];
    var inputs = form.querySelectorAll('[name="' + name.replace(/"/g, '\\"') + '"]');
    for (var i = 0; i < inputs.length; i++) {
      var el = inputs[i];
      if (el.type === "radio" || el.type === "checkbox") {
        if (el.checked) { out.push(el.value); }
      } else if (el.value !== "") {
        out.push(el.value);
      }
    }
    return out;
  }

  function containerOf(form, name) {
    var boxes = form.querySelectorAll("[data-field]");
    for (var i = 0; i < boxes.length; i++) {
      if (boxes[i].getAttribute("data-field") === name) { return boxes[i]; }
    }
    return null;
  }

  function applyConditions(form) {
    var boxes = form.querySelectorAll("[data-show-if]");
    // A field depends on one that may itself be hidden: a few passes settle any chain.
    for (var pass = 0; pass < 5; pass++) {
      var changed = false;
      for (var i = 0; i < boxes.length; i++) {
        var box = boxes[i];
        var cond;
        try { cond = JSON.parse(box.getAttribute("data-show-if")); } catch (e) { continue; }
        var target = containerOf(form, cond.field);
        var targetShown = !target || !target.hidden;
        var current = valuesOf(form, cond.field);
        var match = false;
        for (var j = 0; j < current.length; j++) {
          if (cond.values.indexOf(current[j]) >= 0) { match = true; }
        }
        var show = targetShown && match;
        if (box.hidden === show) { box.hidden = !show; changed = true; }
      }
      if (!changed) { break; }
    }
  }

  function rebuildCommunes(block, url) {
    var province = block.querySelector("[data-address-province]");
    var old = block.querySelector("[data-address-commune]");
    if (!province || !old) { return; }
    var code = province.value;
    function replace(el) {
      el.id = old.id; el.name = old.name; el.setAttribute("data-address-commune", "");
      el.setAttribute("autocomplete", "off");
      if (old.classList.contains("is-invalid")) { el.classList.add("is-invalid"); }
      old.parentNode.replaceChild(el, old);
      old = el;
    }
    function select(items, placeholder) {
      var el = document.createElement("select");
      el.className = "form-select";
      var first = document.createElement("option");
      first.value = ""; first.textContent = placeholder;
      el.appendChild(first);
      for (var i = 0; i < items.length; i++) {
        var opt = document.createElement("option");
        opt.value = items[i][0]; opt.textContent = items[i][1];
        el.appendChild(opt);
      }
      replace(el);
    }
    if (!code) { select([], "— Chọn tỉnh trước —"); return; }
    fetch(url.replace("XX", encodeURIComponent(code)), {headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (data) {
        if (data.communes === null) {
          var input = document.createElement("input");
          input.type = "text"; input.className = "form-control"; input.maxLength = 120;
          replace(input);
        } else {
          select(data.communes, "— Chọn xã, phường —");
        }
      })
      .catch(function () {
        // Offline: the no-JS button still works.
        var button = block.querySelector("[data-address-refresh]");
        if (button) { button.hidden = false; button.style.display = "inline-flex"; }
      });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var forms = document.querySelectorAll("form[data-eform]");
    for (var i = 0; i < forms.length; i++) {
      (function (form) {
        applyConditions(form);
        form.addEventListener("change", function (event) {
          var target = event.target;
          if (target && target.hasAttribute && target.hasAttribute("data-address-province")) {
            var block = target.closest("[data-address]");
            if (block) { rebuildCommunes(block, form.getAttribute("data-communes-url") || ""); }
          }
          applyConditions(form);
        });
        form.addEventListener("input", function () { applyConditions(form); });
      })(forms[i]);
    }
  });
})();
