/* Feedback charts (ECharts, served locally): the distribution of ratings 1–5 of an activity or of
   the cycle's programme, and the average rating per activity over time (all, participants, organisations).
   Each chart element names its json_script source in data-source (talent.activities.views); the
   table beside each chart holds the same figures. */
(function () {
  "use strict";
  var FONT = "system-ui, 'Noto Sans CJK SC', 'PingFang SC', 'Microsoft YaHei', sans-serif";
  var COLORS = ["#1565c0", "#2e7d32", "#ef6c00"];

  function num(v) { return v === null ? null : Number(v); }

  function option(d) {
    var base = {
      textStyle: { fontFamily: FONT },
      grid: { left: 36, right: 8, top: 28, bottom: 56 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: d.labels, axisLabel: { rotate: d.kind === "averages" ? 30 : 0, fontSize: 10 } }
    };
    if (d.kind === "distribution") {
      base.yAxis = { type: "value", minInterval: 1 };
      base.series = [{ name: d.name, type: "bar", data: d.values, itemStyle: { color: COLORS[0] } }];
    } else {
      base.legend = { top: 0 };
      base.yAxis = { type: "value", min: 0, max: 5 };
      base.series = d.series.map(function (s, i) {
        return { name: s.name, type: "bar", data: s.values.map(num), itemStyle: { color: COLORS[i % COLORS.length] } };
      });
    }
    return base;
  }

  function draw() {
    if (!window.echarts) { return; }
    var charts = [];
    document.querySelectorAll(".feedback-chart").forEach(function (el) {
      var source = document.getElementById(el.dataset.source);
      if (!source) { return; }
      var chart = window.echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(option(JSON.parse(source.textContent)));
      charts.push(chart);
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
