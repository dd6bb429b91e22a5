/* Print buttons: any element with data-print opens the browser's print dialog when clicked.
   Bound here rather than with onclick="…" so that the Content-Security-Policy needs no inline script. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target.closest("[data-print]") : null;
    if (!target) { return; }
    event.preventDefault();
    window.print();
  });
})();
