// The part scanner: the phone's rear camera reads a barcode or QR code into the form's code input, then
// submits it. The browser's BarcodeDetector reads EAN and Code 128 too where it exists (Android Chrome);
// jsQR (vendored) reads QR codes everywhere else. A typed code, or a hardware scanner, uses the same input.
(function () {
  "use strict";
  const FORMATS = ["qr_code", "ean_13", "ean_8", "code_128", "code_39", "upc_a", "upc_e", "data_matrix"];
  const EVERY_MS = 150;

  async function detectorFor() {
    if (!("BarcodeDetector" in window)) return { detector: null, readsQr: false };
    try {
      const supported = await window.BarcodeDetector.getSupportedFormats();
      const formats = FORMATS.filter((format) => supported.includes(format));
      if (!formats.length) return { detector: null, readsQr: false };
      return { detector: new window.BarcodeDetector({ formats }), readsQr: formats.includes("qr_code") };
    } catch (error) {
      return { detector: null, readsQr: false };
    }
  }

  function attach(form) {
    const input = form.querySelector('[name="code"]');
    const button = form.querySelector("[data-scan-start]");
    const video = form.querySelector("[data-scan-video]");
    const status = form.querySelector("[data-scan-status]");
    const canvas = document.createElement("canvas");
    const context = canvas.getContext("2d", { willReadFrequently: true });
    let stream = null;

    function stop() {
      if (stream) stream.getTracks().forEach((track) => track.stop());
      stream = null;
      video.hidden = true;
    }

    function found(code) {
      stop();
      input.value = code;
      if (form.requestSubmit) form.requestSubmit();
      else form.submit();
    }

    function readQr() {
      if (!window.jsQR || !video.videoWidth) return null;
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      const image = context.getImageData(0, 0, canvas.width, canvas.height);
      const result = window.jsQR(image.data, image.width, image.height);
      return result && result.data ? result.data : null;
    }

    async function look(reader) {
      if (!stream) return;
      let code = null;
      if (video.readyState >= 2) {
        if (reader.detector) {
          try {
            const codes = await reader.detector.detect(video);
            if (codes.length) code = codes[0].rawValue;
          } catch (error) {
            reader.detector = null;
            reader.readsQr = false;
          }
        }
        if (!code && !reader.readsQr) code = readQr();
      }
      if (code) found(code);
      else window.setTimeout(() => look(reader), EVERY_MS);
    }

    button.addEventListener("click", async () => {
      if (stream) return;
      if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
        status.textContent = form.dataset.noCamera;
        return;
      }
      try {
        stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
      } catch (error) {
        status.textContent = form.dataset.denied;
        return;
      }
      status.textContent = form.dataset.looking;
      video.srcObject = stream;
      video.hidden = false;
      await video.play();
      look(await detectorFor());
    });
    window.addEventListener("pagehide", stop);
  }

  function start() {
    document.querySelectorAll("[data-scan]").forEach(attach);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
