// Draws the dashboard's trend charts with uPlot from the JSON the page
// embeds; the same numbers are in the tables under each chart.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("trend-data").textContent);
  var colours = ["#0b5cad", "#cf222e", "#1a7f37", "#9a6700", "#8250df", "#0b5cad", "#cf222e"];
  var xs = data.days.map(function (d) { return Date.parse(d + "T12:00:00Z") / 1000; });
  data.charts.forEach(function (chart) {
    var el = document.getElementById(chart.id);
    if (!el || typeof uPlot === "undefined") { return; }
    var width = Math.max(280, Math.min(el.parentElement.clientWidth, 1100));
    var series = [{}].concat(chart.series.map(function (i) {
      return { label: data.labels[i], stroke: colours[i], width: 2, spanGaps: true, points: { size: 6 } };
    }));
    var values = [xs].concat(chart.series.map(function (i) { return data.series[i]; }));
    new uPlot({ width: width, height: 220, series: series, axes: [{}, {}], scales: { x: { time: true } } }, values, el);
  });
})();
