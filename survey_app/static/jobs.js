// Progress of background jobs: poll the JSON twin of a job's status until it ends.
// Progressive enhancement: without JavaScript the page has an "Actualiser" link.
(function () {
  "use strict";
  var DELAY = 1500;

  function field(box, name) { return box.querySelector('[data-job-field="' + name + '"]'); }

  function show(box, status) {
    field(box, "state_label").textContent = status.state_label;
    if (field(box, "message").textContent !== status.message) field(box, "message").textContent = status.message;
    field(box, "progress").value = status.percent;
    field(box, "progress").textContent = status.percent + " %";
    field(box, "percent").textContent = status.percent;
    var error = field(box, "error");
    field(box, "error_text").textContent = status.error || "";
    error.hidden = !status.error;
    var result = field(box, "result");
    if (status.state === "done" && status.result_url) {
      result.querySelector("a").href = status.result_url;
      result.hidden = false;
    }
    field(box, "refresh").hidden = true;
    field(box, "queued_hint").hidden = status.state !== "queued";
    box.setAttribute("data-finished", status.finished ? "true" : "false");
    if (status.finished) {
      if (status.state === "done" && box.closest("[data-reload-when-done]")) { window.location.reload(); }
    }
  }

  function poll(box) {
    var request = new XMLHttpRequest();
    request.open("GET", box.getAttribute("data-job-status"));
    request.setRequestHeader("Accept", "application/json");
    request.onload = function () {
      if (request.status !== 200) { return later(box, DELAY * 4); }
      var status;
      try { status = JSON.parse(request.responseText); } catch (e) { return later(box, DELAY * 4); }
      show(box, status);
      if (!status.finished) later(box, DELAY);
    };
    request.onerror = function () { later(box, DELAY * 4); };
    request.send();
  }

  function later(box, delay) { window.setTimeout(function () { poll(box); }, delay); }

  document.addEventListener("DOMContentLoaded", function () {
    var boxes = document.querySelectorAll("[data-job-status]");
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      if (box.getAttribute("data-finished") === "true") continue;
      field(box, "refresh").hidden = true;
      later(box, DELAY);
    }
  });
})();
