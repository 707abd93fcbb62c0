/* Progressive enhancement of the resident's questionnaire (the pages work without it):
   show and hide questions as the page is answered, mirroring the server's conditions
   (JSON trees of survey_app/questionnaire/conditions.py), focus the error summary, and
   keep the answers in the form when the connection is lost. */
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
