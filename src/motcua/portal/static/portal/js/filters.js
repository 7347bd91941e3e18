// Catalogue filters: closed on phones (the results come first), opened on wide screens where
// they sit in a sidebar. Progressive enhancement only: without JavaScript they stay closed and
// the summary line says how many filters are active.
(function () {
  "use strict";
  var wide = window.matchMedia && window.matchMedia("(min-width: 992px)");
  if (!wide || !wide.matches) {
    return;
  }
  var panels = document.querySelectorAll("details.filters");
  for (var i = 0; i < panels.length; i++) {
    panels[i].open = true;
  }
})();
