/* Owed and delivered per period of each obligation, as bars (ECharts, served locally). Data comes
   from the json_script tag "shortfall-data" (spaces.views._chart); the table under each chart holds
   the same numbers. Periods that ended short are drawn red. */
(function () {
  "use strict";
  var FONT = "system-ui, 'Noto Sans CJK SC', 'PingFang SC', 'Microsoft YaHei', sans-serif";

  function draw() {
    var source = document.getElementById("shortfall-data");
    if (!source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    var charts = [];
    document.querySelectorAll(".shortfall-chart").forEach(function (el) {
      var d = data.items[Number(el.dataset.index)];
      if (!d) { return; }
      var chart = window.echarts.init(el, null, { renderer: "canvas" });
      chart.setOption({
        textStyle: { fontFamily: FONT },
        grid: { left: 36, right: 8, top: 28, bottom: 48 },
        legend: { top: 0 },
        tooltip: { trigger: "axis" },
        xAxis: { type: "category", data: d.periods, axisLabel: { rotate: 45, fontSize: 10 } },
        yAxis: { type: "value", minInterval: 1 },
        series: [
          { name: data.labels.owed, type: "bar", data: d.owed.map(Number), itemStyle: { color: "#b0b7c3" } },
          {
            name: data.labels.delivered,
            type: "bar",
            data: d.delivered.map(function (v, i) {
              return { value: Number(v), itemStyle: { color: d.short[i] ? "#c62828" : "#2e7d32" } };
            })
          }
        ]
      });
      charts.push(chart);
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
