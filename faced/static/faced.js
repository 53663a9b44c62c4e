/* faced's only script. Every page works without it; it adds the Escape key
   to "Leave now" and keeps the page being left out of the back button. */
(function () {
  "use strict";

  var exit = document.querySelector("a.quick-exit");

  function leave(event) {
    if (event) {
      event.preventDefault();
    }
    // Hide the page at once, then replace it in the history: the back
    // button must not bring it back. /leave/ also signs out.
    document.documentElement.style.visibility = "hidden";
    window.location.replace(exit.href);
  }

  // A warning two minutes before the idle sign-out; without JavaScript
  // the pages say how long faced waits.
  var minutes = parseInt(document.body.getAttribute("data-idle-minutes"), 10);
  var warning = document.getElementById("idle-warning");
  if (minutes > 2 && warning) {
    window.setTimeout(function () {
      warning.hidden = false;
    }, (minutes - 2) * 60 * 1000);
  }

  if (exit) {
    exit.addEventListener("click", leave);
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" || event.key === "Esc") {
        leave(event);
      }
    });
    Array.prototype.forEach.call(
      document.querySelectorAll("[data-js-only]"),
      function (element) { element.hidden = false; }
    );
  }
})();
