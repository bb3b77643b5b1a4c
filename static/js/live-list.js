// Keeps a list of bookings current without a reload: every 20 seconds the same page is
// fetched again and the element marked data-live replaced, so states change in place.
(function () {
  "use strict";
  var target = document.querySelector("[data-live]");
  if (!target || !window.fetch || !window.DOMParser) { return; }
  var seconds = parseInt(target.dataset.live, 10) || 20;

  function refresh() {
    if (document.hidden) { return; }
    fetch(window.location.href, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-live]");
        if (fresh) { target.innerHTML = fresh.innerHTML; }
      })
      .catch(function () { /* the next round tries again */ });
  }

  setInterval(refresh, seconds * 1000);
}());
