/* Suggestions dashboard charts (ECharts, served locally). Data and labels come from the json_script
   tag "suggestion-chart-data" (computed in gongzhi.suggestions.selectors.rates). */
(function () {
  "use strict";
  var KEYS = ["response", "resolution", "on_time", "satisfaction"];
  var COLOURS = { response: "#1565c0", resolution: "#2e7d32", on_time: "#ef6c00", satisfaction: "#8e24aa" };

  function draw(id, d, text) {
    var el = document.getElementById(id);
    if (!el || !window.echarts) { return; }
    var chart = window.echarts.init(el);
    chart.setOption({
      animation: false,
      grid: { left: 40, right: 10, top: 20, bottom: 70 },
      tooltip: { trigger: "axis", confine: true },
      legend: { type: "scroll", bottom: 0, left: 0, right: 0 },
      xAxis: { type: "category", data: d.labels, axisLabel: { interval: 0, rotate: 30 } },
      yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
      series: KEYS.map(function (k) {
        return { type: "bar", name: text[k], data: d[k], itemStyle: { color: COLOURS[k] } };
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function init() {
    var node = document.getElementById("suggestion-chart-data");
    if (!node) { return; }
    var data = JSON.parse(node.textContent);
    draw("chart-department", data.department, data.text);
    draw("chart-month", data.month, data.text);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
}());
