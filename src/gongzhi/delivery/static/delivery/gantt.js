/* The construction schedule as a Gantt chart (ECharts, served locally). Data comes from the
   json_script tag "plan-gantt-data" (delivery.views_plan._gantt); the table below the chart holds
   the same dates. Rows are either each vendor's crews or each building; a custom series draws one
   rectangle per job (start to end, both inclusive) and another shades the blackout periods. */
(function () {
  "use strict";
  var DAY = 86400000;
  var COLOURS = ["#1565c0", "#2e7d32", "#b86e00", "#6a1b9a", "#00838f", "#c62828", "#5d4037", "#37474f"];
  var FONT = "system-ui, 'Noto Sans CJK SC', 'PingFang SC', 'Microsoft YaHei', sans-serif";

  function day(text) { return Date.parse(text + "T00:00:00Z"); }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function iso(ms) {
    var d = new Date(ms);
    return d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate());
  }

  function clip(rect, params) {
    var s = params.coordSys;
    return window.echarts.graphic.clipRectByRect(rect, { x: s.x, y: s.y, width: s.width, height: s.height });
  }

  function renderJob(d, view) {
    return function (params, api) {
      var row = api.value(0);
      var from = api.coord([api.value(1), row]);
      var to = api.coord([api.value(2), row]);
      var job = d.jobs[api.value(3)];
      // Jobs of one row at the same time (a building's entrances) share the band in lanes.
      var lane = job.lanes[view][0], lanes = job.lanes[view][1];
      var band = api.size([0, 1])[1] * 0.8;
      var height = band / lanes;
      var top = from[1] - band / 2 + lane * height;
      var shape = clip({ x: from[0], y: top + 1, width: Math.max(1, to[0] - from[0]), height: Math.max(2, height - 2) }, params);
      if (!shape) { return null; }
      return {
        type: "rect",
        shape: shape,
        style: api.style(),
        textContent: {
          style: { text: job.code, fill: "#fff", fontSize: 11, fontFamily: FONT, width: Math.max(0, shape.width - 4), overflow: "truncate" }
        },
        textConfig: { position: "inside" }
      };
    };
  }

  function renderBlackout(params, api) {
    var top = params.coordSys.y;
    var from = api.coord([api.value(0), 0]);
    var to = api.coord([api.value(1), 0]);
    var shape = clip({ x: from[0], y: top, width: Math.max(1, to[0] - from[0]), height: params.coordSys.height }, params);
    return shape && { type: "rect", shape: shape, style: { fill: "rgba(90, 100, 115, 0.18)" }, silent: false };
  }

  // ECharts renders a tooltip formatter's return value as HTML: every piece of data (estate, building,
  // entrance, vendor names typed or imported by staff) and every label goes through esc() first.
  var ENTITIES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" };

  function esc(value) {
    return String(value === null || value === undefined ? "" : value).replace(/[&<>"']/g, function (c) { return ENTITIES[c]; });
  }

  function tooltip(d) {
    var l = d.labels;
    return function (p) {
      if (p.seriesIndex === 1) {
        return esc(l.blackout) + "<br>" + esc(iso(p.value[0]) + " — " + iso(p.value[1] - DAY));
      }
      var j = d.jobs[p.value[3]];
      return [
        "<strong>" + esc(l.elevator) + "</strong> " + esc(j.elevator),
        esc(l.entrance + "：" + j.entrance),
        esc(l.vendor + "：" + j.vendor + (j.crew ? " · " + l.crew + j.crew : "")),
        esc(l.start + "：" + j.start),
        esc(l.end + "：" + j.end + "（" + j.days + " " + l.days + "）")
      ].join("<br>");
    };
  }

  function option(d, view) {
    var rows = d.views[view];
    var jobs = d.jobs.map(function (j, i) {
      return {
        value: [j.rows[view], day(j.start), day(j.end) + DAY, i],
        itemStyle: { color: COLOURS[j.vendor_index % COLOURS.length] }
      };
    });
    var blackouts = d.blackouts.map(function (b) { return { value: [day(b[0]), day(b[1]) + DAY] }; });
    return {
      animation: false,
      textStyle: { fontFamily: FONT },
      grid: { left: 4, right: 12, top: 8, bottom: 52, containLabel: true },
      tooltip: { trigger: "item", confine: true, formatter: tooltip(d) },
      dataZoom: [
        { type: "inside", xAxisIndex: 0, filterMode: "weakFilter" },
        { type: "slider", xAxisIndex: 0, filterMode: "weakFilter", height: 20, bottom: 6, labelFormatter: function (v) { return iso(v).slice(5); } }
      ],
      xAxis: {
        type: "time",
        min: day(d.start),
        max: day(d.deadline) + DAY,
        splitLine: { show: true, lineStyle: { color: "#eceff3" } },
        axisLabel: { hideOverlap: true, formatter: function (v) { return iso(v).slice(5); } }
      },
      yAxis: {
        type: "category",
        data: rows,
        inverse: true,
        axisTick: { show: false },
        axisLabel: { width: 92, overflow: "truncate", fontSize: 11 }
      },
      series: [
        { type: "custom", name: "jobs", renderItem: renderJob(d, view), encode: { x: [1, 2], y: 0 }, data: jobs, z: 2 },
        { type: "custom", name: "blackouts", renderItem: renderBlackout, encode: { x: [0, 1] }, data: blackouts, z: 1 }
      ]
    };
  }

  function draw() {
    var el = document.getElementById("plan-gantt");
    var node = document.getElementById("plan-gantt-data");
    if (!el || !node || !window.echarts) { return; }
    var d = JSON.parse(node.textContent);
    var chart = null;

    function show(view) {
      var band = Math.max(36, d.lanes[view] * 20);
      el.style.height = Math.max(160, d.views[view].length * band + 90) + "px";
      if (chart) {
        chart.resize();
      } else {
        chart = window.echarts.init(el, null, { renderer: "canvas" });
      }
      chart.setOption(option(d, view), true);
    }

    document.querySelectorAll("input[name=gantt-view]").forEach(function (input) {
      input.addEventListener("change", function () { if (input.checked) { show(input.value); } });
    });
    var checked = document.querySelector("input[name=gantt-view]:checked");
    show(checked ? checked.value : "crew");
    window.addEventListener("resize", function () { if (chart) { chart.resize(); } });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
