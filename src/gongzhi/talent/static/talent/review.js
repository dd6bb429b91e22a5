/* The score distribution of a review's proposal (ECharts, served locally): people per band of 10
   points, members and candidates stacked, with the exit line. Data comes from the json_script tag
   "review-chart-data" (talent.views_reviews.chart_data); the table "bands" holds the same figures. */
(function () {
  "use strict";
  var FONT = "system-ui, 'Noto Sans CJK SC', 'PingFang SC', 'Microsoft YaHei', sans-serif";

  function draw() {
    var source = document.getElementById("review-chart-data");
    var el = document.getElementById("review-chart");
    if (!source || !el || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    function bars(key) {
      return data.rows.map(function (r) { return [r.start + 5, r[key]]; });
    }
    chart.setOption({
      textStyle: { fontFamily: FONT },
      grid: { left: 36, right: 12, top: 32, bottom: 28 },
      legend: { top: 0 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "value", min: 0, max: 100, interval: 10 },
      yAxis: { type: "value", minInterval: 1, name: data.labels.count },
      series: [
        {
          name: data.labels.members, type: "bar", stack: "people", barWidth: "8%", data: bars("members"),
          markLine: {
            symbol: "none", lineStyle: { color: "#c62828", type: "dashed" },
            label: { formatter: data.labels.exit + " " + data.exit_below },
            data: [{ xAxis: Number(data.exit_below) }]
          }
        },
        { name: data.labels.candidates, type: "bar", stack: "people", barWidth: "8%", data: bars("candidates") }
      ]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
