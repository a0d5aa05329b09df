// Evaluation pages: trend sparklines (scorecard), a horizontal bar chart (rankings, indicator page),
// a sortable table, and scrolling the explanation into view when HTMX loads it.
(function () {
  const lang = document.documentElement.lang || "vi";
  const number = (digits) => new Intl.NumberFormat(lang, { maximumFractionDigits: digits });

  function sparklines() {
    const source = document.getElementById("spark-data");
    if (!source || !window.echarts) return;
    const data = JSON.parse(source.textContent);
    document.querySelectorAll("[data-spark]").forEach((el) => {
      const trend = data[el.dataset.spark];
      if (!trend || trend.values.length < 2) return;
      const chart = echarts.init(el, null, { renderer: "svg" });
      chart.setOption({
        animation: false,
        grid: { left: 2, right: 2, top: 4, bottom: 4 },
        tooltip: { trigger: "axis", confine: true, valueFormatter: (v) => number(2).format(v) },
        xAxis: { type: "category", show: false, data: trend.labels },
        yAxis: { type: "value", show: false, scale: true },
        series: [{ type: "line", data: trend.values, symbol: "none", lineStyle: { width: 1.5, color: "#0b5cad" }, areaStyle: { opacity: 0.08 } }],
      });
      window.addEventListener("resize", () => chart.resize());
    });
  }

  function bars() {
    const el = document.getElementById("ranking-chart");
    const source = document.getElementById("ranking-data");
    if (!el || !source || !window.echarts) return;
    const data = JSON.parse(source.textContent);
    const chart = echarts.init(el, null, { renderer: "svg" });
    const narrow = el.clientWidth < 500;
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" }, valueFormatter: (v) => number(4).format(v) },
      grid: { left: 8, right: 24, top: 8, bottom: 24, containLabel: true },
      xAxis: { type: "value", axisLabel: { formatter: (v) => number(2).format(v) } },
      yAxis: {
        type: "category",
        inverse: true,
        data: data.labels,
        axisLabel: { width: narrow ? 110 : 220, overflow: "truncate", fontSize: narrow ? 10 : 12 },
      },
      series: [
        {
          type: "bar",
          data: data.values,
          itemStyle: { color: "#0b5cad" },
          barMaxWidth: 18,
          // The national and regional medians, as vertical lines across the bars.
          markLine: (data.lines || []).length
            ? {
                symbol: "none",
                silent: true,
                label: { formatter: (p) => `${p.name}: ${number(4).format(p.value)}`, position: "insideEndTop", fontSize: narrow ? 9 : 11 },
                data: data.lines.map((line, n) => ({
                  name: line.name,
                  xAxis: line.value,
                  lineStyle: { color: n === 0 ? "#b35900" : "#2e7d32", type: "dashed", width: 1.5 },
                })),
              }
            : undefined,
        },
      ],
    });
    window.addEventListener("resize", () => chart.resize());
  }

  // Indicator page: the country and the chosen units over the periods (fetched as JSON).
  async function trend() {
    const el = document.getElementById("trend-chart");
    if (!el || !window.echarts) return;
    const response = await fetch(el.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok) return;
    const data = await response.json();
    const chart = echarts.init(el, null, { renderer: "svg" });
    const format = number(data.decimals);
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis", confine: true, valueFormatter: (v) => (v == null ? "—" : format.format(v)) },
      legend: { type: "scroll", bottom: 0 },
      grid: { left: 8, right: 16, top: 16, bottom: 40, containLabel: true },
      xAxis: { type: "category", data: data.labels },
      yAxis: { type: "value", scale: true, axisLabel: { formatter: (v) => format.format(v) } },
      series: data.series.map((s) => ({
        type: "line",
        name: s.name,
        data: s.values,
        connectNulls: false,
        symbolSize: 5,
        lineStyle: s.code === "NATIONAL" ? { width: 2.5, type: "dashed", color: "#b35900" } : { width: 1.8 },
        itemStyle: s.code === "NATIONAL" ? { color: "#b35900" } : undefined,
      })),
    });
    el.dataset.series = String(data.series.length);
    window.addEventListener("resize", () => chart.resize());
  }

  // Indicator page: how many units fall in each range of values.
  function spread() {
    const el = document.getElementById("spread-chart");
    const source = document.getElementById("spread-data");
    if (!el || !source || !window.echarts) return;
    const data = JSON.parse(source.textContent);
    const chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.labels, axisLabel: { rotate: data.labels.length > 5 ? 30 : 0, fontSize: 10 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ type: "bar", data: data.values, itemStyle: { color: "#0b5cad" }, barCategoryGap: "8%" }],
    });
    window.addEventListener("resize", () => chart.resize());
  }

  document.addEventListener("DOMContentLoaded", () => {
    sparklines();
    bars();
    trend();
    spread();
  });
  document.body.addEventListener("htmx:afterSwap", (event) => {
    if (event.detail.target && event.detail.target.id === "explain") {
      event.detail.target.scrollIntoView({ behavior: "smooth", block: "start" });
    }
  });

  // Alpine component: click a header to sort by that column (numbers by their data-sort value).
  window.sortableTable = function () {
    return {
      column: null,
      ascending: true,
      sort(index, kind) {
        this.ascending = this.column === index ? !this.ascending : kind === "text";
        this.column = index;
        const body = this.$root.querySelector("tbody");
        const key = (row) => row.children[index].dataset.sort || "";
        const rows = Array.from(body.rows);
        rows.sort((a, b) => {
          let x = key(a), y = key(b);
          if (kind === "num") {
            x = x === "" ? -Infinity : parseFloat(x);
            y = y === "" ? -Infinity : parseFloat(y);
            return this.ascending ? x - y : y - x;
          }
          return this.ascending ? x.localeCompare(y, lang) : y.localeCompare(x, lang);
        });
        rows.forEach((row) => body.appendChild(row));
      },
    };
  };
})();
