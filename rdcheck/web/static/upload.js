// The upload page without a framework: drag-and-drop onto the label, upload progress, then the check's progress
// (queue position, seconds) by polling /jobs/<id>, then the report. Without JavaScript the form posts as is.
(function () {
  "use strict";
  var form = document.getElementById("upload");
  var input = document.getElementById("file");
  var drop = document.getElementById("drop");
  var nameBox = document.getElementById("file-name");
  var progress = document.getElementById("progress");
  var bar = document.getElementById("bar");
  var text = document.getElementById("progress-text");
  var errorBox = document.getElementById("upload-error");
  var words = JSON.parse(document.getElementById("words").textContent);
  var maxBytes = parseFloat(document.currentScript.getAttribute("data-max")) * 1024 * 1024;
  if (!form || !window.XMLHttpRequest || !window.FormData) { return; }

  function show(file) { nameBox.textContent = file ? file.name : ""; }
  function fail(message) { errorBox.textContent = message; errorBox.hidden = false; progress.hidden = true; }
  function say(message, fraction) { text.textContent = message; if (fraction !== null) { bar.style.width = Math.round(fraction * 100) + "%"; } }

  input.addEventListener("change", function () { show(input.files[0]); });
  ["dragenter", "dragover"].forEach(function (e) {
    drop.addEventListener(e, function (ev) { ev.preventDefault(); drop.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (e) {
    drop.addEventListener(e, function (ev) { ev.preventDefault(); drop.classList.remove("over"); });
  });
  drop.addEventListener("drop", function (ev) {
    if (ev.dataTransfer && ev.dataTransfer.files.length) { input.files = ev.dataTransfer.files; show(input.files[0]); }
  });

  function poll(status, report) {
    var xhr = new XMLHttpRequest();
    xhr.open("GET", status);
    xhr.onload = function () {
      var s = {};
      try { s = JSON.parse(xhr.responseText); } catch (e) { s = {}; }
      if (s.state === "done" || xhr.status === 404) { window.location.assign(report); return; }
      if (s.state === "queued" && s.position > 0) { say(words.queued.replace("{n}", s.position), 1); }
      else { say(words.checking.replace("{s}", Math.round(s.elapsed || 0)), 1); }
      window.setTimeout(function () { poll(status, report); }, 500);
    };
    xhr.onerror = function () { window.location.assign(report); };
    xhr.send();
  }

  form.addEventListener("submit", function (ev) {
    var file = input.files[0];
    if (!file) { return; }
    if (file.size > maxBytes) { ev.preventDefault(); fail(words.limit); return; }
    ev.preventDefault();
    errorBox.hidden = true;
    progress.hidden = false;
    say(words.uploading.replace("{pct}", 0), 0);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.getAttribute("action"));
    xhr.setRequestHeader("X-Rdcheck-Async", "1");
    xhr.upload.onprogress = function (e) {
      if (e.lengthComputable) { say(words.uploading.replace("{pct}", Math.round(100 * e.loaded / e.total)), e.loaded / e.total); }
    };
    xhr.onload = function () {
      if (xhr.status === 202) {
        var job = JSON.parse(xhr.responseText);
        poll(job.status, job.report);
        return;
      }
      // an error page (wrong type, too large, expired form): show it as the server wrote it
      document.open(); document.write(xhr.responseText); document.close();
    };
    xhr.onerror = function () { fail(words.busy); };
    xhr.send(new FormData(form));
  });
}());
