/* The dossier's radar chart of the five core skills (latest score each), on the pool's scale.
   Data comes from the json_script tag "skill-radar-data" (talent.people.selectors.radar); the table
   under the chart holds the same figures. Skills never assessed are drawn at the scale minimum. */
(function () {
  "use strict";
  var FONT = "system-ui, 'Noto Sans CJK SC', 'PingFang SC', 'Microsoft YaHei', sans-serif";

  function draw() {
    var source = document.getElementById("skill-radar-data");
    var el = document.getElementById("skill-radar");
    if (!source || !el || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    var min = Number(data.min), max = Number(data.max);
    if (!data.scores.some(function (s) { return s !== null; })) { el.hidden = true; return; }
    var chart = window.echarts.init(el, null, { renderer: "canvas" });
    chart.setOption({
      textStyle: { fontFamily: FONT },
      tooltip: {},
      radar: {
        radius: "62%",
        indicator: data.skills.map(function (name) { return { name: name, min: min, max: max }; })
      },
      series: [{
        type: "radar",
        areaStyle: { opacity: 0.2 },
        data: [{ value: data.scores.map(function (s) { return s === null ? min : Number(s); }) }]
      }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
