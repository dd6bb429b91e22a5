/* The sources of a funding plan as a pie (ECharts, served locally). Data comes from the json_script
   tag "plan-chart-data" (renewals.views); the table above the chart holds the exact figures. Names reach
   ECharts as data: its default tooltip escapes them, and the legend is drawn on the canvas as text. */
(function () {
  "use strict";
  function draw() {
    var el = document.getElementById("plan-chart");
    var node = document.getElementById("plan-chart-data");
    if (!el || !node || !window.echarts) { return; }
    var d = JSON.parse(node.textContent);
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "item", confine: true, valueFormatter: function (v) { return v.toLocaleString("zh-CN", { minimumFractionDigits: 2 }) + " " + d.labels.yuan; } },
      legend: { bottom: 0, left: 0, orient: "vertical", type: "plain" },
      textStyle: { fontFamily: "system-ui, 'Noto Sans CJK SC', 'PingFang SC', 'Microsoft YaHei', sans-serif" },
      series: [{
        type: "pie",
        radius: ["35%", "62%"],
        center: ["50%", "34%"],
        label: { show: false },
        data: d.sources.map(function (s) { return { name: s.name, value: Number(s.value) }; })
      }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
    window.addEventListener("beforeprint", function () { chart.resize(); });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
