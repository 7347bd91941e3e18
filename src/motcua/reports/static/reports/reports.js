/* Charts drawn from the tables under them (the tables stay: they are the accessible version
   and carry the links to the dossiers). A table with data-chart="bar" becomes a stacked bar
   chart (one dataset per numeric column, except data-skip ones); data-chart="doughnut" a
   doughnut of its rows. No inline script or style: CSP-friendly. */
(function () {
  "use strict";
  var COLOURS = {
    ok: "#2e7d32", early: "#1565c0", soon: "#b26a00", late: "#c62828", paused: "#6a6a6a",
    counter: "#1565c0", online: "#2e7d32", post: "#b26a00"
  };
  var FALLBACK = ["#1565c0", "#2e7d32", "#b26a00", "#c62828", "#6a1b9a", "#00838f"];

  function number(cell) {
    var text = (cell.textContent || "").replace(/[^0-9.-]/g, "");
    var n = parseFloat(text);
    return isNaN(n) ? 0 : n;
  }

  function canvasFor(table, wide) {
    var box = document.createElement("div");
    box.className = "rp-chart" + (wide ? " rp-chart--wide" : "");
    box.setAttribute("aria-hidden", "true");
    var canvas = document.createElement("canvas");
    box.appendChild(canvas);
    var wrap = table.closest(".table-wrap") || table;
    wrap.parentNode.insertBefore(box, wrap);
    return canvas;
  }

  function bar(table) {
    var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var labels = [], datasets = [];
    heads.forEach(function (th, i) {
      if (i === 0 || th.hasAttribute("data-skip")) { return; }
      var key = th.getAttribute("data-color");
      datasets.push({ label: th.textContent.trim(), data: [], column: i,
                      backgroundColor: COLOURS[key] || FALLBACK[datasets.length % FALLBACK.length] });
    });
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
      labels.push(row.cells[0].textContent.trim());
      datasets.forEach(function (ds) { ds.data.push(number(row.cells[ds.column])); });
    });
    new window.Chart(canvasFor(table, true), {
      type: "bar",
      data: { labels: labels, datasets: datasets },
      options: { responsive: true, maintainAspectRatio: false, animation: false,
                 scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } }
    });
  }

  function doughnut(table) {
    var labels = [], data = [], colours = [];
    Array.prototype.forEach.call(table.tBodies[0].rows, function (row, i) {
      labels.push(row.cells[0].textContent.trim());
      data.push(number(row.cells[row.cells.length - 1]));
      colours.push(COLOURS[row.getAttribute("data-color")] || FALLBACK[i % FALLBACK.length]);
    });
    if (!data.some(function (n) { return n > 0; })) { return; }
    new window.Chart(canvasFor(table, false), {
      type: "doughnut",
      data: { labels: labels, datasets: [{ data: data, backgroundColor: colours, borderWidth: 1 }] },
      options: { responsive: true, maintainAspectRatio: false, animation: false,
                 plugins: { legend: { position: "right" } } }
    });
  }

  function init() {
    if (!window.Chart) { return; }
    document.querySelectorAll("table[data-chart]").forEach(function (table) {
      try {
        if (table.getAttribute("data-chart") === "bar") { bar(table); } else { doughnut(table); }
      } catch (e) { /* the table is still there */ }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
