/* The condition evaluator shared by the resident's questionnaire (survey.js) and the
   paper entry screen (entry.js): it evaluates the JSON trees of
   survey_app/questionnaire/conditions.py (``Node.to_json``) as the server does, on
   typed answers. Loaded before the page's script; it only defines
   window.ClsConditions. */
(function () {
  "use strict";

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

  window.ClsConditions = { isObj: isObj, isEmpty: isEmpty, truthy: truthy, num: num, cmp: cmp, evaluate: ev };
})();
