// Send the upload form with XMLHttpRequest, so that the page can show upload
// progress. The server returns JSON to requests marked X-Requested-With.
(function () {
  "use strict";

  var form = document.getElementById("upload-form");
  if (!form) {
    return;
  }
  var bar = document.getElementById("upload-progress-bar");
  var barText = document.getElementById("upload-progress-text");
  var barBox = document.getElementById("upload-progress");
  var errorBox = document.getElementById("upload-error");
  var submitButton = document.getElementById("upload-submit");

  function showError(message) {
    errorBox.textContent = message;
    errorBox.hidden = false;
    submitButton.disabled = false;
  }

  function errorMessage(request) {
    try {
      var answer = JSON.parse(request.responseText);
      if (answer.errors) {
        var parts = [];
        Object.keys(answer.errors).forEach(function (field) {
          answer.errors[field].forEach(function (error) { parts.push(error.message); });
        });
        return parts.join(" ");
      }
      if (answer.detail) {
        return answer.detail;
      }
    } catch (ignored) {
      // Not JSON, e.g. a proxy's error page: fall through to the status line.
    }
    return "The upload failed (HTTP " + request.status + "). Try again.";
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    errorBox.hidden = true;
    submitButton.disabled = true;
    barBox.hidden = false;
    bar.value = 0;
    barText.textContent = "0 %";

    var request = new XMLHttpRequest();
    request.open("POST", form.action || window.location.href);
    request.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    request.setRequestHeader("Accept", "application/json");
    // The header keeps the CSRF check working when the server skips an
    // oversized body, which contains the form's own token.
    request.setRequestHeader("X-CSRFToken", form.querySelector("input[name=csrfmiddlewaretoken]").value);

    request.upload.addEventListener("progress", function (progress) {
      if (progress.lengthComputable) {
        var percent = Math.round((100 * progress.loaded) / progress.total);
        bar.value = percent;
        barText.textContent = percent + " %";
      }
    });
    request.upload.addEventListener("load", function () {
      barText.textContent = "Uploaded; checking the files…";
    });
    request.addEventListener("error", function () {
      showError("The connection was lost during the upload. Try again.");
    });
    request.addEventListener("load", function () {
      if (request.status === 201) {
        window.location.assign(JSON.parse(request.responseText).redirect);
        return;
      }
      showError(errorMessage(request));
    });

    request.send(new FormData(form));
  });
})();
