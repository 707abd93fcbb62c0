/* Keyboard entry of paper questionnaires (templates/entry/section.html); the page works
   without it, one section per page. With it: Enter moves to the next question (Tab too),
   the last one saves the page; questions the conditions skip are hidden and left out of
   the tab order as the agent types; the label of each typed code is echoed beside it.
   The condition evaluator mirrors survey_app/questionnaire/conditions.py, like survey.js. */
(function () {
  "use strict";
  document.documentElement.className += " js";

  function isObj(v) { return v !== null && typeof v === "object" && !Array.isArray(v); }
  function isEmpty(v) {
    return v === null || v === undefined || v === "" || (Array.isArray(v) && !v.length) || (isObj(v) && !Object.keys(v).length);
  }
  function truthy(v) {
    if (Array.isArray(v)) return v.length > 0;
    if (isObj(v)) return Object.keys(v).length > 0;
    return !!v;
  }
  function num(v) {
    if (typeof v === "number") return v;
    if (typeof v !== "string" || !v.trim()) return null;
    var n = Number(v.trim());
    return isNaN(n) ? null : n;
  }
  function cmp(op, l, r) {
    if (l === null || l === undefined || r === null || r === undefined) return false;
    if (typeof l === "object" || typeof r === "object") return false;
    if ((typeof l === "string") !== (typeof r === "string")) {
      l = num(l); r = num(r);
      if (l === null || r === null) return op === "!=";
    }
    switch (op) {
      case "=": return l === r;
      case "!=": return l !== r;
      case "<": return l < r;
      case "<=": return l <= r;
      case ">": return l > r;
      default: return l >= r;
    }
  }
  function ev(n, a) {
    if ("lit" in n) return n.lit;
    if ("list" in n) return n.list.slice();
    if ("ref" in n) {
      var v = a[n.ref];
      if (v === undefined) v = null;
      if (n.row) return isObj(v) && v[n.row] !== undefined ? v[n.row] : null;
      return v;
    }
    var args = n.args, i, x, y;
    if (n.call) {
      x = ev(args[0], a);
      if (n.call === "empty") return isEmpty(x);
      if (n.call === "count") {
        if (isEmpty(x)) return 0;
        if (isObj(x)) return Object.keys(x).filter(function (k) { return !isEmpty(x[k]); }).length;
        return Array.isArray(x) ? x.length : 1;
      }
      y = String(args[1].lit);
      return Array.isArray(x) ? x.indexOf(y) >= 0 : x === y;
    }
    switch (n.op) {
      case "not": return !truthy(ev(args[0], a));
      case "neg": x = ev(args[0], a); x = typeof x === "string" ? null : num(x); return x === null ? null : -x;
      case "and": for (i = 0; i < args.length; i++) if (!truthy(ev(args[i], a))) return false; return true;
      case "or": for (i = 0; i < args.length; i++) if (truthy(ev(args[i], a))) return true; return false;
      case "in":
        x = ev(args[0], a);
        if (x === null || typeof x === "object") return false;
        return args[1].list.some(function (v) { return cmp("=", x, v); });
      case "+": case "-": case "*": case "/":
        x = ev(args[0], a); y = ev(args[1], a);
        if (typeof x !== "number" || typeof y !== "number") return null;
        if (n.op === "+") return x + y;
        if (n.op === "-") return x - y;
        if (n.op === "*") return x * y;
        return y === 0 ? null : x / y;
      default: return cmp(n.op, ev(args[0], a), ev(args[1], a));
    }
  }

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
