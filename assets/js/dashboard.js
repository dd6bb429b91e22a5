/* Dashboard charts (ECharts, served locally). Data comes from the json_script tag "chart-data". */
(function () {
  "use strict";
  var COLOURS = { priority: "#c62828", eligible: "#ef8f00", not_eligible: "#8a94a6" };

  function data() {
    var node = document.getElementById("chart-data");
    return node ? JSON.parse(node.textContent) : null;
  }

  function base() {
    return {
      animation: false,
      grid: { left: 40, right: 12, top: 16, bottom: 40, containLabel: false },
      tooltip: { trigger: "axis", confine: true },
      textStyle: { fontFamily: "system-ui, 'Noto Sans CJK SC', 'PingFang SC', 'Microsoft YaHei', sans-serif" }
    };
  }

  function ages(el, d) {
    var bars = d.ages.map(function (age, i) {
      var tier = age >= d.priority_years ? "priority" : age >= d.eligible_years ? "eligible" : "not_eligible";
      return { value: d.age_counts[i], itemStyle: { color: COLOURS[tier] } };
    });
    var option = base();
    option.xAxis = { type: "category", data: d.ages, name: d.labels.years, nameLocation: "middle", nameGap: 26 };
    option.yAxis = { type: "value", minInterval: 1, name: d.labels.elevators };
    option.series = [{ type: "bar", name: d.labels.elevators, data: bars }];
    return option;
  }

  function faults(el, d) {
    var option = base();
    option.xAxis = { type: "category", data: d.months.map(function (m) { return m.slice(2); }) };
    option.yAxis = { type: "value", minInterval: 1, name: d.labels.faults };
    option.series = [{ type: "bar", name: d.labels.faults, data: d.month_faults, itemStyle: { color: "#1565c0" } }];
    return option;
  }

  function tiers(el, d) {
    return {
      animation: false,
      tooltip: { trigger: "item", confine: true },
      legend: { bottom: 0 },
      series: [{
        type: "pie",
        radius: ["35%", "65%"],
        center: ["50%", "45%"],
        label: { formatter: "{c}" },
        data: d.tiers.map(function (t) {
          return { name: t.name, value: t.value, itemStyle: { color: COLOURS[t.key] } };
        })
      }]
    };
  }

  var BUILDERS = { ages: ages, faults: faults, tiers: tiers };

  function draw() {
    var d = data();
    if (!d || !window.echarts) { return; }
    var charts = [];
    document.querySelectorAll("[data-chart]").forEach(function (el) {
      var build = BUILDERS[el.getAttribute("data-chart")];
      if (!build) { return; }
      var chart = window.echarts.getInstanceByDom(el) || window.echarts.init(el, null, { renderer: "canvas" });
      chart.setOption(build(el, d));
      charts.push(chart);
    });
    window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
