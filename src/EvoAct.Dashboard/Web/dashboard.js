// EvoAct dashboard: live updates without reloads. The server announces each journal change over
// Server-Sent Events; the page then re-fetches its live part (rendered on the server, charts as SVG)
// and swaps it in. One fetch at a time: changes that arrive meanwhile cause one more, not a queue.
(function () {
  "use strict";
  var live = document.getElementById("live");
  var dot = document.getElementById("connection");
  var picked = null; // the runs ticked for comparison (null: the server's default)

  function ticked() {
    return Array.prototype.slice.call(document.querySelectorAll("input.compare")).filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
  }

  function restoreComparison() {
    var boxes = document.querySelectorAll("input.compare");
    if (!boxes.length) return;
    if (picked === null) picked = Array.prototype.slice.call(boxes, 0, 8).map(function (b) { return b.value; });
    boxes.forEach(function (b) { b.checked = picked.indexOf(b.value) >= 0; });
  }

  function drawComparison() {
    var holder = document.getElementById("compare-chart");
    if (!holder) return;
    var query = picked.map(function (r) { return "run=" + encodeURIComponent(r); }).join("&");
    fetch(holder.dataset.src + "?" + query, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (svg) { if (svg !== null) holder.innerHTML = svg; })
      .catch(function () { /* keep the chart shown */ });
  }

  document.addEventListener("change", function (e) {
    if (!e.target.matches || !e.target.matches("input.compare")) return;
    picked = ticked();
    drawComparison();
  });

  document.addEventListener("click", function (e) {
    var button = e.target.closest ? e.target.closest("[data-copy]") : null;
    if (!button) return;
    var text = document.getElementById(button.dataset.copy).textContent;
    var done = function () { button.textContent = "copied"; setTimeout(function () { button.textContent = "copy"; }, 1500); };
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(text).then(done, function () {});
    else {
      var area = document.createElement("textarea");
      area.value = text; document.body.appendChild(area); area.select();
      try { document.execCommand("copy"); done(); } catch (err) { /* nothing to copy with */ }
      document.body.removeChild(area);
    }
  });

  restoreComparison();
  if (!live || !live.dataset.fragment || !window.EventSource) return;

  var busy = false, again = false;
  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    fetch(live.dataset.fragment, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) {
        if (html === null) return;
        var open = Array.prototype.slice.call(live.querySelectorAll("details[open]")).map(function (d, i) { return i; });
        live.innerHTML = html;
        var details = live.querySelectorAll("details");
        open.forEach(function (i) { if (details[i]) details[i].open = true; });
        restoreComparison();
        if (document.getElementById("compare-chart") && picked) drawComparison();
      })
      .catch(function () { /* the server is away: keep the last view, the stream reconnects */ })
      .then(function () { busy = false; if (again) { again = false; refresh(); } });
  }

  var version = live.dataset.version;
  var events = new EventSource("/api/events");
  events.onopen = function () { if (dot) dot.className = "connection on"; };
  events.onerror = function () { if (dot) dot.className = "connection off"; };
  events.onmessage = function (e) {
    if (dot) dot.className = "connection on";
    if (e.data === version) return; // the version this page was rendered at: nothing new
    version = e.data;
    refresh();
  };
})();
