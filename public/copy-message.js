// The "copy message" and "print" buttons of /at-risk. The page works without this script: each
// message sits in a read-only field to select and copy by hand, and the browser's menu prints.
// Served from this site, so the page's Content-Security-Policy ('self') allows it.
(function () {
  'use strict';

  function say(button, text) {
    var status = button.parentNode.querySelector('.copy-status');
    if (status) {
      status.textContent = text;
      setTimeout(function () { status.textContent = ''; }, 3000);
    }
  }

  // Older browsers, and pages served over plain http, have no async clipboard: select and copy.
  function copyBySelection(field, button) {
    field.focus();
    field.select();
    try {
      if (document.execCommand('copy')) {
        say(button, button.getAttribute('data-copied'));
      }
    } catch (e) {
      // The text stays selected for the person to copy.
    }
  }

  document.querySelectorAll('button[data-copy]').forEach(function (button) {
    var field = document.getElementById(button.getAttribute('data-copy'));
    if (!field) {
      return;
    }
    button.hidden = false;
    button.addEventListener('click', function () {
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(field.value).then(
          function () { say(button, button.getAttribute('data-copied')); },
          function () { copyBySelection(field, button); }
        );
      } else {
        copyBySelection(field, button);
      }
    });
  });

  document.querySelectorAll('button[data-print]').forEach(function (button) {
    button.hidden = false;
    button.addEventListener('click', function () { window.print(); });
  });
})();
