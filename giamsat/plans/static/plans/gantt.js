// The plans' timeline (plans/_gantt.html): one bar per task from its start to its deadline,
// coloured by the computed status; a baseline's deadline as a mark; today as a line.
(function () {
  "use strict";
  var COLORS = {
    NOT_STARTED: "#94a3b8",
    IN_PROGRESS: "#2563eb",
    OVERDUE: "#b91c1c",
    DONE_ON_TIME: "#15803d",
    DONE_LATE: "#d97706"
  };
  var DAY = 86400000;
  function time(iso) { return new Date(iso + "T00:00:00").getTime(); }
  function ddmmyyyy(ms) {
    var d = new Date(ms);
    return ("0" + d.getDate()).slice(-2) + "/" + ("0" + (d.getMonth() + 1)).slice(-2) + "/" + d.getFullYear();
  }
  document.querySelectorAll("[data-gantt]").forEach(function (node) {
    var source = document.getElementById(node.getAttribute("data-gantt"));
    if (!source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    var rows = data.rows;
    if (!rows.length) return;
    node.style.height = Math.max(220, 60 + rows.length * 26) + "px";
    var names = rows.map(function (r) { return r.name.length > 40 ? r.name.slice(0, 39) + "…" : r.name; });
    var bars = rows.map(function (r, i) {
      var start = time(r.start), due = time(r.due);
      return { value: [i, start, Math.max(due, start + DAY)], itemStyle: { color: COLORS[r.status] || "#64748b" }, row: r };
    });
    var marks = [];
    rows.forEach(function (r, i) { if (r.baseline) marks.push({ value: [time(r.baseline), i], row: r }); });
    var instance = window.echarts.init(node);
    instance.setOption({
      grid: { left: 8, right: 24, top: 24, bottom: 32, containLabel: true },
      tooltip: {
        formatter: function (p) {
          var r = p.data.row;
          var text = r.name + "<br>" + r.statusLabel + "<br>" + ddmmyyyy(time(r.start)) + " – " + ddmmyyyy(time(r.due));
          if (r.baseline) text += "<br>" + data.labels.baseline + ": " + ddmmyyyy(time(r.baseline));
          return text;
        }
      },
      xAxis: { type: "time", axisLabel: { formatter: function (v) { return ddmmyyyy(v).slice(3); } } },
      yAxis: { type: "category", data: names, inverse: true, axisLabel: { width: 180, overflow: "truncate" } },
      series: [
        {
          type: "custom",
          encode: { x: [1, 2], y: 0 },
          data: bars,
          renderItem: function (params, api) {
            var y = api.value(0);
            var from = api.coord([api.value(1), y]);
            var to = api.coord([api.value(2), y]);
            var height = api.size([0, 1])[1] * 0.55;
            return {
              type: "rect",
              shape: { x: from[0], y: from[1] - height / 2, width: Math.max(2, to[0] - from[0]), height: height },
              style: api.style()
            };
          },
          markLine: {
            symbol: "none",
            silent: true,
            label: { formatter: data.labels.today, position: "end" },
            lineStyle: { color: "#0f172a", type: "dashed" },
            data: [{ xAxis: time(data.today) }]
          }
        },
        {
          type: "scatter",
          name: data.labels.baseline,
          symbol: "diamond",
          symbolSize: 11,
          itemStyle: { color: "#0f172a" },
          data: marks
        }
      ]
    });
    instance.on("click", function (p) { if (p.data && p.data.row) window.location.href = p.data.row.url; });
    window.addEventListener("resize", function () { instance.resize(); });
  });
})();
