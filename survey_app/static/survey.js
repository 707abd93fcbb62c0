/* Progressive enhancement of the resident's questionnaire (the pages work without it):
   show and hide questions as the page is answered, mirroring the server's conditions
   (JSON trees of survey_app/questionnaire/conditions.py, evaluated by conditions.js,
   loaded before), focus the error summary, and keep the answers in the form when the
   connection is lost. */
(function () {
  "use strict";
  document.documentElement.className += " js";

  var C = window.ClsConditions, isEmpty = C.isEmpty, truthy = C.truthy, ev = C.evaluate;

  /* The typed value of a question block, as the server would read it (null: no answer). */
  function valueOf(block) {
    var type = block.getAttribute("data-type"), id = block.getAttribute("data-q");
    var fields = block.querySelectorAll("input, select, textarea"), out, i, f, t;
    if (type === "multiple") {
      out = [];
      for (i = 0; i < fields.length; i++) if (fields[i].name === id && fields[i].checked) out.push(fields[i].value);
      return out.length ? out : null;
    }
    if (type === "matrix" || type === "ranking") {
      out = type === "matrix" ? {} : [];
      for (i = 0; i < fields.length; i++) {
        f = fields[i];
        if (f.name.indexOf(id + ".") !== 0 || !f.value || (f.type === "radio" && !f.checked)) continue;
        if (type === "matrix") out[f.name.slice(id.length + 1)] = f.value; else out.push(f.value);
      }
      return isEmpty(out) ? null : out;
    }
    for (i = 0; i < fields.length; i++) {
      f = fields[i];
      if (f.name !== id || ((f.type === "radio" || f.type === "checkbox") && !f.checked)) continue;
      t = f.value.trim();
      if (!t) return null;
      if (type === "integer" || type === "year" || type === "scale") {
        t = t.replace(/[\s\u00a0\u202f]/g, "");
        return /^[+-]?\d+$/.test(t) ? parseInt(t, 10) : null;
      }
      if (type === "decimal") {
        t = Number(t.replace(/[\s\u00a0\u202f]/g, "").replace(",", "."));
        return isFinite(t) ? t : null;
      }
      return t;
    }
    return null;
  }

  function otherBoxes(block, show) {
    var other = block.querySelector(".other");
    if (!other) return;
    var code = other.getAttribute("data-other"), chosen = false;
    block.querySelectorAll("input[type=radio], input[type=checkbox], option").forEach(function (f) {
      if (f.value === code && (f.checked || f.selected)) chosen = true;
    });
    var on = show && chosen;
    other.hidden = !on;
    other.querySelector("input").disabled = !on;
  }

  function refresh(form, data) {
    var answers = {}, k;
    for (k in data.answers) answers[k] = data.answers[k];
    form.querySelectorAll(".q[data-q]").forEach(function (block) {
      var id = block.getAttribute("data-q"), tree = data.show[id];
      var show = !tree || truthy(ev(tree, answers));
      if (block.hidden === show) {
        block.hidden = !show;
        block.querySelectorAll("input, select, textarea").forEach(function (f) { f.disabled = !show; });
      }
      otherBoxes(block, show);
      if (show) {
        var v = valueOf(block);
        if (v !== null) answers[id] = v;
      }
    });
  }

  function offlineGuard(form) {
    var box = form.querySelector(".offline");
    form.addEventListener("submit", function (e) {
      if (navigator.onLine === false && box) {
        e.preventDefault();
        box.textContent = form.getAttribute("data-offline");
        box.classList.add("shown");
      }
    });
    window.addEventListener("online", function () { if (box) { box.textContent = ""; box.classList.remove("shown"); } });
  }

  /* A resume link carries the code after "#" (never sent to the server): put it in the
     field; the resident still presses the button to continue. */
  function resumeFromLink() {
    var field = document.getElementById("f-code"), code = decodeURIComponent(location.hash.slice(1));
    if (!field || field.value || !/^[0-9A-Za-z -]{12,20}$/.test(code)) return;
    field.value = code;
    history.replaceState(null, "", location.pathname + location.search);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.getElementById("erreurs");
    if (summary) summary.focus();
    document.querySelectorAll("form.survey-form").forEach(offlineGuard);
    resumeFromLink();
    var form = document.getElementById("survey-form"), script = document.getElementById("conditions");
    if (!form) return;
    var data = script ? JSON.parse(script.textContent) : { show: {}, answers: {} };
    var update = function () { refresh(form, data); };
    form.addEventListener("change", update);
    form.addEventListener("input", update);
    update();
  });
})();
