/* Keyboard shortcuts of the coding screen (progressive enhancement: the form works without).
   Enter: validate the ticked themes; 1-9: tick or untick the numbered theme; N: "non codable". */
(function () {
  "use strict";
  var form = document.getElementById("coding-form");
  if (!form) { return; }
  function typing(target) {
    var tag = target && target.tagName;
    return tag === "TEXTAREA" || tag === "SELECT" || (tag === "INPUT" && target.type !== "checkbox") ||
      (target && target.isContentEditable);
  }
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) { return; }
    if (event.target.closest && event.target.closest("details, nav, a, button") && event.key === "Enter") { return; }
    if (event.key >= "1" && event.key <= "9") {
      var box = form.querySelector('input[data-shortcut="' + event.key + '"]');
      if (box) { box.checked = !box.checked; box.focus(); event.preventDefault(); }
    } else if (event.key === "n" || event.key === "N") {
      document.getElementById("coding-none").click();
      event.preventDefault();
    } else if (event.key === "Enter") {
      document.getElementById("coding-accept").click();
      event.preventDefault();
    }
  });
}());
