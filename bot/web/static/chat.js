// The web chat works without this file. With it, each page load puts the focus on the
// newest message (so a screen reader reads it; its buttons or the text field come next),
// or, after a multi-select toggle, back on the toggled choice.
(function () {
  "use strict";
  function focusLatest() {
    var target = null;
    if (window.location.hash.indexOf("#choice-") === 0) {
      target = document.getElementById(window.location.hash.slice(1));
    }
    if (!target) {
      target = document.getElementById("latest");
    }
    if (target) {
      target.focus({ preventScroll: false });
      if (target.scrollIntoView) {
        target.scrollIntoView({ block: "nearest" });
      }
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", focusLatest);
  } else {
    focusLatest();
  }
})();
// The page a mail's link opens: its one-time token leaves the address bar (and this
// history entry) at once, so a shared computer's address bar does not keep it.
(function () {
  "use strict";
  if (document.querySelector("[data-link-opens]") && window.history.replaceState) {
    window.history.replaceState(null, "", "/chat/open");
  }
})();
