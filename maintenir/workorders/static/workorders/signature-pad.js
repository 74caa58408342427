// Signature pad for sign-offs: draw with a finger, a stylus or the mouse; the drawing is sent
// as a PNG data URL in the form's hidden `signature` input. Without JavaScript the pad stays
// hidden and the typed name alone is the sign-off.
(function () {
  "use strict";

  function setUp(pad) {
    var canvas = pad.querySelector("canvas");
    var input = document.getElementById(pad.getAttribute("data-input"));
    var context = canvas.getContext("2d");
    var drawing = false;

    pad.hidden = false;
    // Draw at the screen's pixel density so the signature is not blurred.
    var ratio = window.devicePixelRatio || 1;
    canvas.width = canvas.offsetWidth * ratio;
    canvas.height = canvas.offsetHeight * ratio;
    context.scale(ratio, ratio);
    context.lineWidth = 2;
    context.lineCap = "round";
    context.lineJoin = "round";
    context.strokeStyle = "#1d2430";

    function point(event) {
      var box = canvas.getBoundingClientRect();
      return { x: event.clientX - box.left, y: event.clientY - box.top };
    }

    canvas.addEventListener("pointerdown", function (event) {
      drawing = true;
      canvas.setPointerCapture(event.pointerId);
      var start = point(event);
      context.beginPath();
      context.moveTo(start.x, start.y);
      event.preventDefault();
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) return;
      var next = point(event);
      context.lineTo(next.x, next.y);
      context.stroke();
    });
    function finish() {
      if (!drawing) return;
      drawing = false;
      input.value = canvas.toDataURL("image/png");
    }
    canvas.addEventListener("pointerup", finish);
    canvas.addEventListener("pointercancel", finish);

    pad.querySelector("[data-signature-clear]").addEventListener("click", function () {
      context.clearRect(0, 0, canvas.width, canvas.height);
      input.value = "";
    });
  }

  document.querySelectorAll("[data-signature-pad]").forEach(setUp);
})();
