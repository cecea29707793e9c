// The indicator pages' charts (ECharts, served from this server): the units below ranked (a bar leads one level
// down) and a unit's figure over the snapshots with the bound it was judged against.
(function () {
  if (!window.echarts) return;
  var colors = { met: "#1a7f37", on_track: "#1f5fa8", at_risk: "#f0ad4e", missed: "#b42318", no_data: "#999", no_target: "#6b7a90" };
  var charts = [];
  var narrow = window.innerWidth < 760;

  function data(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function make(id, option, onClick) {
    var el = document.getElementById(id);
    if (!el) return;
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.on("finished", function () { el.dataset.ready = "1"; });
    if (onClick) chart.on("click", onClick);
    chart.setOption(option);
    charts.push(chart);
  }

  var unitLabel = function (u) { return u === "%" ? "%" : u; };

  var c = data("children-data");
  if (c && c.names.length) {
    if (narrow) document.getElementById("chart-children").style.height = Math.max(240, c.names.length * 28 + 60) + "px";
    var bars = c.values.map(function (v, i) { return { value: v, itemStyle: { color: colors[c.statuses[i]] || "#1f5fa8" } }; });
    make("chart-children", {
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: function (v) { return v === null || v === undefined ? "无数据" : v + unitLabel(c.unit); } },
      grid: { left: narrow ? 4 : 12, right: 16, top: narrow ? 16 : 32, bottom: 8, containLabel: true },  // room above for the axis name (%)
      xAxis: narrow ? { type: "value" } : { type: "category", data: c.names, axisLabel: { interval: 0, rotate: c.names.length > 8 ? 40 : 0 } },
      yAxis: narrow ? { type: "category", data: c.names, inverse: true } : { type: "value", name: unitLabel(c.unit) },
      series: [{ name: c.title, type: "bar", data: bars, barMaxWidth: 36 }]
    }, function (p) { var link = c.links[p.dataIndex]; if (link) window.location.href = link; });
  }

  var t = data("trend-data");
  if (t && t.days.length > 1) {
    make("chart-trend", {
      color: ["#1f5fa8", "#b42318"],
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 12, right: 16, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: t.days },
      yAxis: { type: "value", name: unitLabel(t.unit) },
      // no target on any day: no empty "目标" line in the legend
      series: [{ name: t.title, type: "line", data: t.values, connectNulls: false }].concat(
        t.bounds.some(function (b) { return b !== null; }) ?
          [{ name: "目标（含序时进度）", type: "line", data: t.bounds, lineStyle: { type: "dashed" }, connectNulls: false }] : [])
    });
  }
  window.addEventListener("resize", function () { charts.forEach(function (ch) { ch.resize(); }); });
})();
