/* Keyboard entry of paper questionnaires (templates/entry/section.html); the page works
   without it, one section per page. With it: Enter moves to the next question (Tab too),
   the last one saves the page; questions the conditions skip are hidden and left out of
   the tab order as the agent types; the label of each typed code is echoed beside it.
   The condition evaluator is conditions.js (shared with survey.js), loaded before. */
(function () {
  "use strict";
  document.documentElement.className += " js";

  var C = window.ClsConditions, truthy = C.truthy, ev = C.evaluate;

  var MARKS = { ".": "non renseigné", "*": "illisible / réponses multiples" };

  function lookup(info, text) {
    var t = text.trim().toLowerCase(), k;
    for (k in info.keys) if (k.toLowerCase() === t) return k;
    for (k in info.keys) if (String(info.keys[k]).toLowerCase() === t) return k;
    return null;
  }
  function splitCodes(info, text) {
    var t = text.trim();
    if (/[\s,;+\/]/.test(t)) return t.split(/[\s,;+\/]+/).filter(Boolean);
    if (lookup(info, t) !== null) return [t];
    var w = info.width || 1, parts = [], i;
    if (t.length > w && t.length % w === 0) { for (i = 0; i < t.length; i += w) parts.push(t.slice(i, i + w)); return parts; }
    return [t];
  }
  /* What a field means: {value, echo, bad}; value as the server types it (codes, numbers). */
  function readField(info, input) {
    var text = input.value.trim();
    if (!text) return { value: null, echo: "" };
    if (MARKS[text]) return { value: null, echo: MARKS[text] };
    var type = info.type;
    if (type === "single" || type === "yesno" || type === "district" || type === "matrix") {
      var k = lookup(info, text);
      return k === null ? { value: null, echo: "code inconnu", bad: true } : { value: info.keys[k], echo: info.labels[k] };
    }
    if (type === "multiple" || type === "ranking") {
      var keys = splitCodes(info, text).map(function (p) { return lookup(info, p); });
      if (keys.some(function (k) { return k === null; })) return { value: null, echo: "code inconnu", bad: true };
      return { value: keys.map(function (k) { return info.keys[k]; }), echo: keys.map(function (k) { return info.labels[k]; }).join(" ; ") };
    }
    if (type === "integer" || type === "year" || type === "scale" || type === "decimal") {
      var n = Number(text.replace(",", "."));
      return isNaN(n) ? { value: null, echo: "" } : { value: n, echo: "" };
    }
    return { value: text, echo: "" };
  }

  function refresh(form, data) {
    var answers = {}, k;
    for (k in data.answers) answers[k] = data.answers[k];
    form.querySelectorAll(".eq[data-q]").forEach(function (block) {
      var qid = block.getAttribute("data-q"), info = data.questions[qid];
      if (!info) return;
      if (info.tree && !truthy(ev(info.tree, answers))) {
        block.hidden = true;
        block.querySelectorAll("input, textarea").forEach(function (f) { f.disabled = true; });
        delete answers[qid];
        return;
      }
      block.hidden = false;
      var value = null;
      block.querySelectorAll(".eq-input").forEach(function (input) {
        if (input.getAttribute("data-other")) return;
        input.disabled = false;
        var read = readField(info, input), echo = input.parentNode.querySelector(".echo");
        if (echo) { echo.textContent = read.echo ? "→ " + read.echo : ""; echo.className = read.bad ? "echo bad" : "echo"; }
        var row = input.getAttribute("data-row");
        if (row) { if (read.value !== null) { value = value || {}; value[row] = read.value; } }
        else value = read.value;
      });
      if (value !== null) answers[qid] = value;
      var other = block.querySelector(".eq-other");
      if (other) {
        var chosen = info.other !== null && (Array.isArray(value) ? value.indexOf(info.other) >= 0 : value === info.other);
        other.hidden = !chosen;
        other.querySelectorAll("input").forEach(function (f) { f.disabled = !chosen; });
      }
    });
  }

  function fields(form) {
    return Array.prototype.filter.call(form.querySelectorAll(".eq-input"), function (f) {
      return !f.disabled && !f.closest("[hidden]");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("entry-form");
    if (!form) return;
    var data = JSON.parse(form.getAttribute("data-entry") || "{}");
    data.questions = data.questions || {}; data.answers = data.answers || {};
    var update = function () { refresh(form, data); };
    form.addEventListener("input", update);
    update();
    /* the answer to correct has the focus: typing replaces it */
    var focused = form.querySelector(".eq-input[autofocus]");
    if (focused) { focused.focus(); if (focused.select) focused.select(); }
    form.addEventListener("keydown", function (e) {
      var target = e.target;
      if (e.key !== "Enter" || e.shiftKey || e.altKey || e.ctrlKey || e.metaKey) return;
      if (!target.classList || !target.classList.contains("eq-input")) return;
      e.preventDefault();
      update();
      var list = fields(form), index = list.indexOf(target);
      if (index >= 0 && index < list.length - 1) { list[index + 1].focus(); list[index + 1].select && list[index + 1].select(); }
      else { var next = document.getElementById("suivant"); if (form.requestSubmit) form.requestSubmit(next); else next.click(); }
    });
  });
})();
