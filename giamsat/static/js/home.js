// Overview page: restructuring events as a bar chart (data from the json_script block), drawn
// when its folded section is first opened (a chart drawn hidden has no size).
(function () {
  const el = document.getElementById("timeline-chart");
  const source = document.getElementById("timeline-data");
  if (!el || !source || !window.echarts) return;
  const folded = el.closest("details");
  if (folded && !folded.open) {
    folded.addEventListener("toggle", function draw() {
      folded.removeEventListener("toggle", draw);
      timeline(el, source);
    });
  } else {
    timeline(el, source);
  }
})();

function timeline(el, source) {
  const data = JSON.parse(source.textContent);
  // Numbers as the page's language writes them: 1.234 in Vietnamese, 1,234 in English.
  const number = new Intl.NumberFormat(document.documentElement.lang || "vi");
  const chart = echarts.init(el, null, { renderer: "svg" });
  chart.setOption({
    tooltip: { trigger: "axis" },
    // The legend below the chart: at the top it ran into the axis name on a phone.
    legend: { bottom: 0, type: "scroll" },
    grid: { left: 48, right: 16, top: 40, bottom: 64 },
    xAxis: { type: "category", data: data.dates },
    yAxis: { type: "value", name: data.yLabel, axisLabel: { formatter: (v) => number.format(v) } },
    series: data.series.map((s) => ({ name: s.name, type: "bar", stack: "events", data: s.values })),
  });
  window.addEventListener("resize", () => chart.resize());
}
