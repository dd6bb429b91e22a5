/* The score distribution of a review's proposal (ECharts, served locally): people per band of 10
   points, members and candidates stacked, with the exit line. Data comes from the json_script tag
   "review-chart-data" (talent.reviews.views.chart_data); the table "bands" holds the same figures. */
(function () {
  "use strict";
  var FONT = "system-ui, 'Noto Sans CJK SC', 'PingFang SC', 'Microsoft YaHei', sans-serif";

  function draw() {
    var source = document.getElementById("review-chart-data");
    var el = document.getElementById("review-chart");
    if (!source || !el || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    // A value axis (so the exit line sits at its score); each band's bar is 80 % of its 10 points.
    var grid = { left: 36, right: 12, top: 44, bottom: 28 };
    var barWidth = Math.max(4, Math.floor((el.clientWidth - grid.left - grid.right) / 10 * 0.8));
    function bars(key) {
      return data.rows.map(function (r) { return [r.start + 5, r[key]]; });
    }
    chart.setOption({
      textStyle: { fontFamily: FONT },
      grid: grid,
      legend: { top: 0, right: 0 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "value", min: 0, max: 100, interval: 10 },
      yAxis: { type: "value", minInterval: 1, name: data.labels.count },
      series: [
        {
          name: data.labels.members, type: "bar", stack: "people", barWidth: barWidth, data: bars("members"),
          markLine: {
            symbol: "none", lineStyle: { color: "#c62828", type: "dashed" },
            // A function, not a template string: the text is drawn as given (no {a}/{b} substitution).
            label: { formatter: function () { return data.labels.exit + " " + data.exit_below; }, position: "insideEndTop" },
            data: [{ xAxis: Number(data.exit_below) }]
          }
        },
        { name: data.labels.candidates, type: "bar", stack: "people", barWidth: barWidth, data: bars("candidates") }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
