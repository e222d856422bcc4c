// The guidance form's QR scanner (issue 21): where the browser can read QR codes from the camera
// (BarcodeDetector: Chrome on Android), a button opens the camera and adds each learner card's link
// to the attendees box; the server turns the link into the learner. Elsewhere the button stays hidden
// and the codes are typed or ticked on the team's list.
(function () {
  'use strict';
  const button = document.querySelector('[data-scan-into]');
  if (!button || !('BarcodeDetector' in window) || !navigator.mediaDevices) return;
  const box = document.getElementById(button.dataset.scanInto);
  const video = button.parentElement.querySelector('video.scan-view');
  button.hidden = false;
  let stream = null;

  function stop() {
    if (stream) stream.getTracks().forEach((track) => track.stop());
    stream = null;
    video.hidden = true;
  }

  /** Adds a scanned value to the box, once. */
  function add(value) {
    const listed = box.value.split(/[\s,;]+/).filter((v) => v !== '');
    if (!listed.includes(value)) box.value = [...listed, value].join('\n');
  }

  button.addEventListener('click', async () => {
    if (stream) return stop();
    try {
      const detector = new window.BarcodeDetector({ formats: ['qr_code'] });
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
      video.srcObject = stream;
      video.hidden = false;
      await video.play();
      while (stream) {
        const found = await detector.detect(video).catch(() => []);
        if (found.length > 0) {
          add(found[0].rawValue);
          stop();
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    } catch {
      stop();
    }
  });
})();
