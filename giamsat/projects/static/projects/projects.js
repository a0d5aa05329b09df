// The projects' charts (ECharts, vendored): the open red flags by rule on the portfolio, and a
// project's cumulative disbursement against its baseline's planned value. Data come from
// json_script blocks; amounts are in billions of đồng.
(function () {
  "use strict";
  var lang = document.documentElement.lang || "vi";
  var number = new Intl.NumberFormat(lang, { maximumFractionDigits: 2 });
  function read(node, attr) {
    var source = document.getElementById(node.getAttribute(attr));
    return source ? JSON.parse(source.textContent) : null;
  }
  function ddmmyyyy(ms) {
    var d = new Date(ms);
    return ("0" + d.getDate()).slice(-2) + "/" + ("0" + (d.getMonth() + 1)).slice(-2) + "/" + d.getFullYear();
  }
  function draw() {
    if (!window.echarts) return;
    document.querySelectorAll("[data-flag-chart]").forEach(function (node) {
      var data = read(node, "data-flag-chart");
      if (!data || !data.counts.length) return;
      var chart = echarts.init(node, null, { renderer: "canvas" });
      chart.setOption({
        animation: false,
        grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
        tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
        xAxis: { type: "value", minInterval: 1 },
        yAxis: { type: "category", data: data.names, inverse: true, axisLabel: { width: 180, overflow: "truncate" } },
        series: [{ type: "bar", data: data.counts, itemStyle: { color: "#b91c1c" }, label: { show: true, position: "right" } }]
      });
      chart.on("click", function (p) {
        if (data.codes[p.dataIndex]) window.location.href = data.url + data.codes[p.dataIndex];
      });
      window.addEventListener("resize", function () { chart.resize(); });
      node.dataset.state = "ready";
    });
    document.querySelectorAll("[data-ev-chart]").forEach(function (node) {
      var data = read(node, "data-ev-chart");
      if (!data) return;
      function points(rows) { return rows.map(function (r) { return [r[0], r[1]]; }); }
      var chart = echarts.init(node, null, { renderer: "canvas" });
      chart.setOption({
        animation: false,
        grid: { left: 8, right: 24, top: 40, bottom: 8, containLabel: true },
        legend: { top: 0, data: [data.labels.planned, data.labels.disbursed] },
        tooltip: {
          trigger: "axis",
          valueFormatter: function (v) { return number.format(v) + " " + data.labels.unit; }
        },
        xAxis: { type: "time", axisLabel: { formatter: function (v) { return ddmmyyyy(v).slice(3); } } },
        yAxis: { type: "value", name: data.labels.unit, axisLabel: { formatter: function (v) { return number.format(v); } } },
        series: [
          { name: data.labels.planned, type: "line", data: points(data.planned), showSymbol: false, lineStyle: { type: "dashed" }, itemStyle: { color: "#64748b" } },
          {
            name: data.labels.disbursed, type: "line", step: "end", data: points(data.disbursed), showSymbol: false, itemStyle: { color: "#0b5cad" },
            markLine: { symbol: "none", label: { formatter: data.labels.today }, lineStyle: { color: "#b91c1c" }, data: [{ xAxis: data.today }] }
          }
        ]
      });
      window.addEventListener("resize", function () { chart.resize(); });
      node.dataset.state = "ready";
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
