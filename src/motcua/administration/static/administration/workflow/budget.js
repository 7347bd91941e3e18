/* Live budget check of the workflow editor: as the admin types a quota, show how much of the
   case's legal time is left (the server checks again on submit; the page works without this). */
(function () {
  "use strict";

  function parse(value) {
    var text = String(value || "").trim().replace(",", ".");
    if (!/^\d+(\.\d+)?$/.test(text)) { return null; }
    return parseFloat(text);
  }

  function show(n) {
    return String(Math.round(n * 100) / 100);
  }

  function setup(form) {
    var amount = form.querySelector("[name$='quota_amount']");
    var unit = form.querySelector("[name$='quota_unit']");
    var output = form.querySelector("[data-budget-output]");
    if (!amount || !unit || !output) { return; }
    var legal = parseFloat(form.getAttribute("data-legal-hours"));
    var others = parseFloat(form.getAttribute("data-other-hours"));
    var daily = parseFloat(form.getAttribute("data-daily-hours"));

    function say(name, values) {
      var text = output.getAttribute("data-msg-" + name) || "";
      Object.keys(values || {}).forEach(function (key) { text = text.split("{" + key + "}").join(values[key]); });
      return text;
    }

    function update() {
      var typed = parse(amount.value);
      output.classList.remove("adm-bad", "adm-good");
      if (typed === null) {
        output.textContent = amount.value.trim() ? say("number") : "";
        if (amount.value.trim()) { output.classList.add("adm-bad"); }
        return;
      }
      var quota = unit.value === "days" ? typed * daily : typed;
      var total = Math.round((others + quota) * 100) / 100;
      if (total > legal) {
        output.textContent = say("over", {used: show(total), legal: show(legal), over: show(total - legal)});
        output.classList.add("adm-bad");
      } else {
        output.textContent = say("left", {used: show(total), legal: show(legal), left: show(legal - total)});
        output.classList.add("adm-good");
      }
    }

    amount.addEventListener("input", update);
    unit.addEventListener("change", update);
    update();
  }

  document.addEventListener("DOMContentLoaded", function () {
    var forms = document.querySelectorAll("form[data-budget-form]");
    for (var i = 0; i < forms.length; i++) { setup(forms[i]); }
  });
})();
