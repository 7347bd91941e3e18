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

  // The face's words («+ Chọn tệp») join the page's label in the input's name (WCAG 2.5.3: a
  // person who says what they see reaches the input); only now that the face is what shows.
  function name(input, face) {
    if (!face || !input.labels || !input.labels.length) { return; }
    var ids = [];
    for (var i = 0; i < input.labels.length; i++) {
      var label = input.labels[i];
      if (!label.id) { label.id = input.id + "-label" + (i ? "-" + i : ""); }
      ids.push(label.id);
    }
    ids.push(face.id);
    input.setAttribute("aria-labelledby", ids.join(" "));
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
    function take(files) {
      if (!files || !files.length || input.disabled || typeof DataTransfer === "undefined") { return; }
      var dt = new DataTransfer();
      var n = input.multiple ? files.length : 1;
      for (var i = 0; i < n; i++) { dt.items.add(files[i]); }
      input.files = dt.files;
      input.dispatchEvent(new Event("change", {bubbles: true}));
    }
    input.addEventListener("change", show);
    name(input, picker.querySelector(".file-picker__face"));
    picker.addEventListener("dragover", function (event) {
      picker.classList.add("file-picker--over");
      // A drop anywhere on the picker (the names line too) goes to the input: without this the
      // browser opens the dropped file in place of the page, and the form is lost.
      if (!picker.hasAttribute("data-file-picker-parent-drop")) { event.preventDefault(); }
    });
    picker.addEventListener("dragleave", function () { picker.classList.remove("file-picker--over"); });
    picker.addEventListener("drop", function (event) {
      picker.classList.remove("file-picker--over");
      if (picker.hasAttribute("data-file-picker-parent-drop")) { return; }  // the drop zone adds them
      event.preventDefault();
      take(event.dataTransfer && event.dataTransfer.files);
    });
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
