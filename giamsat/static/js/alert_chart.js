// The figure an alert is about against the unit's own history (alerts/detail.html).
(function () {
  "use strict";
  var node = document.getElementById("alert-chart");
  var data = document.getElementById("alert-chart-data");
  if (!node || !data || !window.echarts) return;
  var chart = JSON.parse(data.textContent);
  var last = chart.values.length - 1;
  var instance = window.echarts.init(node);
  instance.setOption({
    grid: { left: 56, right: 16, top: 16, bottom: 40 },
    tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: chart.labels },
    yAxis: { type: "value" },
    series: [{
      type: "line",
      data: chart.values.map(function (v, i) {
        return i === last ? { value: v, itemStyle: { color: "#b91c1c" }, symbolSize: 10 } : v;
      })
    }]
  });
  window.addEventListener("resize", function () { instance.resize(); });
})();
