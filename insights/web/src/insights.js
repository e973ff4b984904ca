// Draws the charts of the insights page and of the offline report from the figures the server
// put in <script type="application/json" id="insights-data">: one chart per
// <canvas data-chart="name">, described by data.charts[name] (insights/pages.py writes both).
// Each chart's figures are also in a table next to it, for screen readers and for anyone who
// would rather read them.
"use strict";

var COLOURS = {
  messages: "#2f5d8a",
  conversations: "#c25700",
  emergency: "#b3261e",
  urgent: "#c25700",
  soon: "#2f5d8a",
  self_care: "#2e7d32",
  stopped: "#5b4b8a",
};
var TEXT = "#1f1f1f";
var GRID = "#d0d0d0";

function series(spec) {
  return spec.series.map(function (s) {
    var colour = s.colours ? s.colours.map(function (c) { return COLOURS[c]; }) : COLOURS[s.colour];
    return {
      type: s.type || spec.kind,
      label: s.name,
      data: s.values,
      backgroundColor: colour,
      borderColor: colour,
      borderWidth: s.type === "line" ? 2 : 0,
      pointRadius: s.type === "line" ? 2 : 0,
      order: s.type === "line" ? 0 : 1,
    };
  });
}

function axis(title, integers) {
  return {
    title: { display: Boolean(title), text: title, color: TEXT },
    ticks: integers ? { color: TEXT, precision: 0 } : { color: TEXT, autoSkip: true },
    grid: { color: GRID },
    beginAtZero: true,
  };
}

function draw(canvas, spec) {
  var horizontal = Boolean(spec.horizontal);
  var categories = axis(spec.categoryTitle, false);
  var counts = axis(spec.countTitle, true);
  return new Chart(canvas, {
    type: spec.kind,
    data: { labels: spec.labels, datasets: series(spec) },
    options: {
      indexAxis: horizontal ? "y" : "x",
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      devicePixelRatio: Math.max(window.devicePixelRatio || 1, 2),  // sharp on paper too
      plugins: {
        legend: { display: spec.series.length > 1, labels: { color: TEXT } },
        tooltip: { enabled: true },
      },
      scales: horizontal ? { x: counts, y: categories } : { x: categories, y: counts },
    },
  });
}

function start() {
  var source = document.getElementById("insights-data");
  if (!source) return;
  var data = JSON.parse(source.textContent);
  var charts = [];
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var spec = data.charts[canvas.getAttribute("data-chart")];
    if (spec) charts.push(draw(canvas, spec));
  });
  // Paper is narrower than the screen: fit the charts to it, and back afterwards.
  function fit() { charts.forEach(function (chart) { chart.resize(); }); }
  window.addEventListener("beforeprint", fit);
  window.addEventListener("afterprint", fit);
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start);
} else {
  start();
}
