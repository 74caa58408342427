// The header search's results (filled by htmx as one types) close on Escape or a click elsewhere.
(function () {
  "use strict";
  function close(box) {
    box.querySelector(".global-search-results").innerHTML = "";
  }
  document.addEventListener("keydown", function (event) {
    var box = event.key === "Escape" && event.target.closest && event.target.closest(".global-search");
    if (box) close(box);
  });
  document.addEventListener("click", function (event) {
    document.querySelectorAll(".global-search").forEach(function (box) {
      if (!box.contains(event.target)) close(box);
    });
  });
})();
