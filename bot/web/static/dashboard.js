// The dashboard's small comforts; every page works without them.
// On a narrow screen the filters of the signal list fold away (the search stays);
// a wide screen shows them open.
(function () {
  "use strict";
  var folded = document.querySelector("details[data-fold-narrow]");
  if (folded && window.matchMedia("(max-width: 48rem)").matches && !folded.hasAttribute("data-active")) {
    folded.open = false;
  }
  // After a form came back with a mistake, the first wrong field gets the focus.
  var wrong = document.querySelector("[aria-invalid='true']");
  if (wrong) {
    wrong.focus();
  }
})();
// The council report: a button that opens the browser's print window (print or PDF).
(function () {
  "use strict";
  var button = document.querySelector("[data-print]");
  if (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  }
})();
