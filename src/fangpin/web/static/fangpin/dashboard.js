// The overview's charts (ECharts, served from this server): the data is the page's own JSON, every bar and slice
// leads to the list behind it.
(function () {
  var source = document.getElementById("dashboard-data");
  if (!source || !window.echarts) return;
  var d = JSON.parse(source.textContent);
  var charts = [];
  var colors = ["#1a7f37", "#b42318", "#1f5fa8", "#f0ad4e", "#8e44ad"];

  function make(id, option, onClick) {
    var el = document.getElementById(id);
    if (!el) return;
    if (window.innerWidth < 760 && id !== "chart-share") {  // bars lie down on a phone: a row per unit
      el.style.height = Math.max(240, d.names.length * (id === "chart-monitoring" ? 60 : 28) + 90) + "px";
    }
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.on("finished", function () { el.dataset.ready = "1"; });  // drawn, animation over
    if (onClick) chart.on("click", onClick);
    chart.setOption(option);
    charts.push(chart);
  }

  function bars(series, stacked) {
    var narrow = window.innerWidth < 760;
    return {
      color: colors,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0, type: "scroll" },
      grid: { left: narrow ? 4 : 12, right: 12, top: 36, bottom: 8, containLabel: true },
      xAxis: narrow ? { type: "value" } : { type: "category", data: d.names, axisLabel: { interval: 0, rotate: d.names.length > 8 ? 40 : 0 } },
      yAxis: narrow ? { type: "category", data: d.names, inverse: true } : { type: "value" },
      series: series.map(function (s) {
        return { name: s.name, type: "bar", stack: stacked ? "all" : undefined, data: s.data, barMaxWidth: 36 };
      })
    };
  }

  // a bar leads to the list behind it (a village's) or one level down (any other unit's)
  function drill(series) {
    return function (params) {
      var s = series[params.seriesIndex];
      var link = (s && s.links && s.links[params.dataIndex]) || d.links[params.dataIndex];
      if (link) window.location.href = link;
    };
  }

  make("chart-categories", bars(d.categories, true), drill(d.categories));
  make("chart-monitoring", bars(d.monitoring, false), drill(d.monitoring));
  make("chart-monitored", bars(d.monitored, true), drill(d.monitored));
  make("chart-waiting", bars(d.waiting, true), drill(d.waiting));
  if (d.bands.length) make("chart-bands", bars(d.bands, true), drill(d.bands));
  make("chart-share", {
    color: colors,
    tooltip: { trigger: "item", formatter: "{b}：{c} 户（{d}%）" },
    legend: { bottom: 0 },
    series: [{ type: "pie", radius: ["35%", "70%"], data: d.share, label: { position: "inside", formatter: "{d}%", color: "#fff" } }]
  }, function (params) { if (params.data && params.data.link) window.location.href = params.data.link; });

  window.addEventListener("resize", function () { charts.forEach(function (c) { c.resize(); }); });
})();
