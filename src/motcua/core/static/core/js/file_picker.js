// The one file picker (core/_file_picker.html): the transparent input lies over a styled face,
// so the browser's own «Choose Files» button, in the browser's language, never shows; the
// chosen files' names are listed under it. Without this file the native input shows and works.
(function () {
  "use strict";

  function names(input) {
    var out = [];
    for (var i = 0; i < input.files.length; i++) { out.push(input.files[i].name); }
    return out;
  }

  function enhance(picker) {
    var input = picker.querySelector("input[type=file]");
    if (!input) { return; }
    var line = picker.querySelector("[data-file-picker-names]");
    function show() {
      picker.classList.toggle("file-picker--chosen", input.files.length > 0);
      if (!line) { return; }
      var chosen = names(input);
      line.textContent = chosen.length
        ? line.getAttribute("data-some") + " " + chosen.join(", ")
        : line.getAttribute("data-none");
    }
    input.addEventListener("change", show);
    // Files dropped on the face land on the input (it covers the face); other scripts that
    // set input.files themselves (the back office's drop zones) list the files on their own.
    picker.addEventListener("dragover", function () { picker.classList.add("file-picker--over"); });
    picker.addEventListener("dragleave", function () { picker.classList.remove("file-picker--over"); });
    picker.addEventListener("drop", function () { picker.classList.remove("file-picker--over"); });
    picker.classList.add("file-picker--enhanced");
    show();
  }

  function start() {
    var pickers = document.querySelectorAll("[data-file-picker]");
    for (var i = 0; i < pickers.length; i++) { enhance(pickers[i]); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
