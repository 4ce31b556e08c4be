// Poll the status of each unfinished submission on the page every 2 s. The
// detail page reloads once its submission finishes, so that results and
// problems appear; the list only updates its rows. Browser tests wait on the
// data-status attribute that this keeps current.
(function () {
  "use strict";

  var intervalMs = 2000;

  function show(element, answer) {
    element.textContent = answer.progress;
    element.dataset.status = answer.status;
    element.className = "status status-" + answer.status;
  }

  function watch(element) {
    var url = element.dataset.statusUrl;

    function poll() {
      var request = new XMLHttpRequest();
      request.open("GET", url);
      request.setRequestHeader("Accept", "application/json");
      request.addEventListener("load", function () {
        if (request.status !== 200) {
          window.setTimeout(poll, intervalMs);
          return;
        }
        var answer = JSON.parse(request.responseText);
        if (answer.finished && element.dataset.reloadWhenFinished === "true") {
          window.location.reload();
          return;
        }
        show(element, answer);
        if (!answer.finished) {
          window.setTimeout(poll, intervalMs);
        }
      });
      request.addEventListener("error", function () {
        window.setTimeout(poll, intervalMs);
      });
      request.send();
    }

    window.setTimeout(poll, intervalMs);
  }

  document.querySelectorAll("[data-status-url]").forEach(function (element) {
    if (element.dataset.finished !== "true") {
      watch(element);
    }
  });
})();
