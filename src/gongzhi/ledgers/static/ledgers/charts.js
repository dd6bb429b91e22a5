/* Ledger charts (ECharts, served locally). Data and labels come from the json_script tag
   "ledger-chart-data" (gongzhi.ledgers.selectors.chart_data / rollup_chart). */
(function () {
  "use strict";
  function data() {
    var node = document.getElementById("ledger-chart-data");
    return node ? JSON.parse(node.textContent) : null;
  }
  function base() {
    return {
      animation: false,
      grid: { left: 56, right: 12, top: 20, bottom: 56 },
      tooltip: { trigger: "axis", confine: true },
      legend: { type: "scroll", bottom: 0, left: 0, right: 0 },
      textStyle: { fontFamily: "system-ui, 'Noto Sans CJK SC', 'PingFang SC', 'Microsoft YaHei', sans-serif" }
    };
  }
  function bars(labels, series) {
    var option = base();
    option.xAxis = { type: "category", data: labels, axisLabel: { interval: 0 } };
    option.yAxis = { type: "value" };
    option.series = series.map(function (s) {
      return { type: "bar", name: s[0], data: s[1], itemStyle: { color: s[2] } };
    });
    return option;
  }
  var BUILDERS = {
    budget: function (d) {
      return bars(d.categories, [[d.text.budget, d.budget, "#90a4ae"], [d.text.committed, d.committed, "#ef8f00"],
        [d.text.paid, d.paid, "#c62828"]]);
    },
    sources: function (d) {
      return bars(d.sources, [[d.text.gross, d.gross, "#1565c0"], [d.text.net, d.net, "#2e7d32"]]);
    },
    years: function (d) {
      return bars(d.years, [[d.text.income, d.income, "#2e7d32"], [d.text.spending, d.spending, "#c62828"],
        [d.text.transfers, d.transfers, "#5e35b1"]]);
    }
  };
  function draw() {
    var d = data();
    if (!d || !window.echarts) { return; }
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var build = BUILDERS[el.getAttribute("data-chart")];
      if (!build) { return; }
      var chart = window.echarts.getInstanceByDom(el) || window.echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(build(d));
      charts.push(chart);
    });
    var resize = function () { charts.forEach(function (c) { c.resize(); }); };
    window.addEventListener("resize", resize);
    window.addEventListener("beforeprint", resize);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
