// 数据看板: draws the per-county employment-rate lines from the JSON the page carries (ECharts, vendored).
document.addEventListener("DOMContentLoaded", function () {
  var holder = document.getElementById("rate-chart");
  var data = document.getElementById("rate-data");
  if (!holder || !data || !window.echarts) { return; }
  var chart = JSON.parse(data.textContent);
  var plot = window.echarts.init(holder, null, { renderer: "svg" });
  plot.setOption({
    animation: false,
    tooltip: { trigger: "axis", valueFormatter: function (v) { return v == null ? "—" : v + "%"; } },
    legend: { type: "scroll", top: 0 },
    grid: { left: 48, right: 16, top: 40, bottom: 32 },
    xAxis: { type: "category", data: chart.days },
    yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
    series: chart.series.map(function (s) { return { name: s.name, type: "line", data: s.data, connectNulls: true }; })
  });
  window.addEventListener("resize", function () { plot.resize(); });
});
