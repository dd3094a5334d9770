// Live pages: the server's event feed says something changed; redraw the page's content from the server.
// Plain script, no framework: the pages stay correct without it, they just stop updating by themselves.
(function () {
  "use strict";
  if (!document.body.dataset.live || !window.EventSource) { return; }
  var editing = false;
  var pending = null;
  document.addEventListener("change", function (event) {
    if (event.target.closest && event.target.closest("form[data-keep]")) { editing = true; }
  });
  function redraw() {
    pending = null;
    fetch(window.location.pathname, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (text) {
        if (!text) { return; }
        var fresh = new DOMParser().parseFromString(text, "text/html");
        var banner = fresh.getElementById("banner");
        if (banner) { document.getElementById("banner").replaceWith(banner); }
        var main = fresh.getElementById("live");
        if (!main) { return; }
        if (editing) {
          // Keep the half-ticked approval form as the person left it; redraw everything around it.
          var kept = document.querySelector("form[data-keep]");
          var slot = main.querySelector("form[data-keep]");
          if (kept && slot) { slot.replaceWith(kept); }
        }
        document.getElementById("live").replaceWith(main);
      })
      .catch(function () { /* the next event tries again */ });
  }
  var feed = new EventSource("/api/events");
  function changed() { if (!pending) { pending = window.setTimeout(redraw, 100); } }
  feed.addEventListener("order", changed);
  feed.addEventListener("control", changed);
})();
