/* Delivery dashboard charts (ECharts, served locally). Data and labels come from the json_script
   tag "delivery-chart-data" (computed in gongzhi.delivery.dashboard.chart_data). */
(function () {
  "use strict";
  var STAGE_COLOURS = {
    proposal: "#b0bec5", assessment: "#90a4ae", plan: "#78909c", decision: "#5c6bc0", contract: "#3949ab",
    notice: "#8e24aa", construction: "#c62828", inspection: "#ef6c00", registration: "#f9a825",
    maintenance: "#7cb342", in_service: "#43a047", subsidy: "#00897b", done: "#1b5e20"
  };

  function data() {
    var node = document.getElementById("delivery-chart-data");
    return node ? JSON.parse(node.textContent) : null;
  }

  function base() {
    return {
      animation: false,
      grid: { left: 44, right: 14, top: 20, bottom: 64, containLabel: false },
      tooltip: { trigger: "axis", confine: true },
      legend: { type: "scroll", bottom: 0, left: 0, right: 0 },
      textStyle: { fontFamily: "system-ui, 'Noto Sans CJK SC', 'PingFang SC', 'Microsoft YaHei', sans-serif" }
    };
  }

  function dateAxis(labels) {
    return { type: "category", boundaryGap: false, data: labels.map(function (l) { return l.slice(2); }) };
  }

  function timeline(d) {
    var option = base();
    option.grid.bottom = 84;
    option.xAxis = dateAxis(d.timeline.labels);
    option.yAxis = { type: "value", minInterval: 1, name: d.text.elevators };
    option.series = d.timeline.series.map(function (s) {
      return {
        type: "line", name: s.name, stack: "stages", areaStyle: {}, symbol: "none", lineStyle: { width: 0.5 },
        itemStyle: { color: STAGE_COLOURS[s.key] }, data: s.data
      };
    });
    return option;
  }

  function completion(d) {
    var option = base();
    option.xAxis = dateAxis(d.completion.labels);
    option.yAxis = { type: "value", minInterval: 1, name: d.text.elevators };
    option.series = [
      { type: "line", name: d.text.planned, data: d.completion.planned, symbol: "none",
        lineStyle: { type: "dashed" }, itemStyle: { color: "#8a94a6" } },
      { type: "line", name: d.text.actual, data: d.completion.actual, symbol: "none", connectNulls: false,
        itemStyle: { color: "#2e7d32" }, areaStyle: { opacity: 0.15 } }
    ];
    return option;
  }

  function histogram(d) {
    var option = base();
    option.xAxis = { type: "category", data: d.histogram.labels, axisLabel: { interval: 0, rotate: 30 } };
    option.yAxis = { type: "value", minInterval: 1, name: d.text.households };
    option.series = [
      { type: "bar", name: d.text.none, data: d.histogram.none, itemStyle: { color: "#c62828" } },
      { type: "bar", name: d.text.some, data: d.histogram.some, itemStyle: { color: "#ef8f00" } }
    ];
    return option;
  }

  var BUILDERS = { timeline: timeline, completion: completion, histogram: histogram };

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

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
