// The ticket page's attach form: files dropped on it are sent like chosen
// ones, and a chosen or photographed file is sent at once. Without this
// script the form works as a plain upload form.
(function () {
  "use strict";
  var form = document.getElementById("attach-form");
  var drop = document.getElementById("attach-drop");
  var chosen = document.getElementById("attach-files");
  if (!form || !drop || !chosen) { return; }
  ["dragenter", "dragover"].forEach(function (name) {
    drop.addEventListener(name, function (e) {
      e.preventDefault();
      drop.classList.add("over");
    });
  });
  ["dragleave", "drop"].forEach(function (name) {
    drop.addEventListener(name, function () { drop.classList.remove("over"); });
  });
  drop.addEventListener("drop", function (e) {
    e.preventDefault();
    if (!e.dataTransfer || e.dataTransfer.files.length === 0) { return; }
    chosen.files = e.dataTransfer.files;
    form.submit();
  });
  var camera = document.getElementById("attach-camera");
  if (camera) {
    camera.addEventListener("change", function () {
      if (camera.files.length > 0) { form.submit(); }
    });
  }
})();
