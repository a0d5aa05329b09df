// Province maps, offline (maps/_map.html says how to include one): fetch an indicator's values
// for a period, then the outlines in force at the period's end; colour by status or value; draw
// Hoàng Sa and Trường Sa as labelled marks; a click on a coloured province opens its scorecard.
(function () {
  if (window.GiamSatMaps) {
    document.addEventListener("DOMContentLoaded", () => window.GiamSatMaps.initAll());
    return;
  }
  const lang = document.documentElement.lang || "vi";
  const NO_VALUE = "#eef1f5";
  const ARCHIPELAGO = "#7a8ca3";
  const RAMP = ["#e3eefb", "#9ec3ea", "#4f8fd0", "#0b5cad", "#073b70"];
  const registered = new Set();
  const charts = {};

  async function getJSON(url) {
    const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(`${url}: ${response.status}`);
    return response.json();
  }

  // A small round mark for an archipelago, so that it is drawn, labelled and hovered like a region.
  function mark(lon, lat, radius) {
    const ring = [];
    for (let i = 0; i <= 16; i++) {
      const a = (i / 16) * 2 * Math.PI;
      ring.push([lon + radius * Math.cos(a), lat + radius * Math.sin(a)]);
    }
    return { type: "Polygon", coordinates: [ring] };
  }

  function legendHTML(data, counts, noValueLabel, shown) {
    const items = data.legend
      .filter((l) => counts[l.code])
      .map((l) => [l.colour, `${l.label} (${counts[l.code]})`]);
    if (shown) items.push([NO_VALUE, noValueLabel]);
    const box = document.createDocumentFragment();
    items.forEach(([colour, text]) => {
      const item = document.createElement("span");
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = colour;
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(text));
      box.appendChild(item);
    });
    return box;
  }

  async function init(el) {
    if (el.dataset.state) return;
    el.dataset.state = "loading";
    try {
      const data = await getJSON(el.dataset.valuesUrl);
      const geo = await getJSON(data.provinces);
      const provinces = geo.features.filter((f) => f.properties.kind === "province");
      const archipelagos = geo.features.filter((f) => f.properties.kind === "archipelago");
      const mapName = `giamsat-${data.on}-${provinces.length}`;
      if (!registered.has(mapName)) {
        const features = provinces.concat(
          archipelagos.map((f) => ({
            type: "Feature",
            properties: f.properties,
            geometry: mark(f.geometry.coordinates[0], f.geometry.coordinates[1], 0.25),
          })),
        );
        echarts.registerMap(mapName, { type: "FeatureCollection", features });
        registered.add(mapName);
      }
      const byCode = Object.fromEntries(data.values.map((v) => [v.code, v]));
      const colours = Object.fromEntries(data.legend.map((l) => [l.code, l.colour]));
      const byStatus = el.dataset.colourBy !== "value";
      const number = new Intl.NumberFormat(lang, { maximumFractionDigits: data.decimals });
      const counts = {};
      let coloured = 0;
      const items = provinces.map((f) => {
        const v = byCode[f.properties.code];
        const item = { name: f.properties.code, title: f.properties.name, value: v ? v.value : null, info: v || null };
        if (v) {
          coloured += 1;
          counts[v.status] = (counts[v.status] || 0) + 1;
          if (byStatus) item.itemStyle = { areaColor: colours[v.status] || NO_VALUE };
        }
        return item;
      });
      archipelagos.forEach((f) => {
        items.push({
          name: f.properties.code,
          title: f.properties.name,
          value: null,
          archipelago: true,
          itemStyle: { areaColor: ARCHIPELAGO, borderColor: ARCHIPELAGO },
          label: { offset: [0, -14], fontWeight: "bold" },
        });
      });
      const values = data.values.map((v) => v.value);
      const chart = echarts.init(el, null, { renderer: "svg" });
      chart.setOption({
        animation: false,
        tooltip: {
          trigger: "item",
          confine: true,
          formatter: (p) => {
            const d = p.data || {};
            if (!d.info) return d.title || p.name;
            const unit = data.unit ? ` ${data.unit}` : "";
            return `<b>${d.title}</b><br>${number.format(d.info.value)}${unit}<br>${d.info.statusLabel}`;
          },
        },
        visualMap:
          !byStatus && values.length
            ? {
                type: "continuous",
                min: Math.min(...values),
                max: Math.max(...values),
                inRange: { color: data.direction === "LOWER_IS_BETTER" ? RAMP.slice().reverse() : RAMP },
                calculable: false,
                left: 8,
                bottom: 8,
                itemHeight: 120,
                formatter: (v) => number.format(v),
                seriesIndex: 0,
              }
            : undefined,
        series: [
          {
            type: "map",
            map: mapName,
            nameProperty: "code",
            roam: true,
            scaleLimit: { min: 1, max: 12 },
            selectedMode: false,
            itemStyle: { areaColor: NO_VALUE, borderColor: "#ffffff", borderWidth: 0.6 },
            emphasis: { label: { show: false }, itemStyle: { borderColor: "#1c2b39", borderWidth: 1.2 } },
            label: {
              show: true,
              fontSize: 11,
              color: "#1c2b39",
              formatter: (p) => (p.data && p.data.archipelago ? p.data.title : ""),
            },
            data: items,
          },
        ],
      });
      chart.on("click", (p) => {
        if (p.data && p.data.info && p.data.info.url) window.location.href = p.data.info.url;
      });
      window.addEventListener("resize", () => chart.resize());
      charts[el.id] = chart;
      const legend = document.querySelector(`[data-map-legend="${el.id}"]`);
      if (legend && byStatus) {
        legend.replaceChildren(legendHTML(data, counts, el.dataset.noValueLabel, coloured < provinces.length));
      }
      el.dataset.provinces = String(provinces.length);
      el.dataset.coloured = String(coloured);
      el.dataset.archipelagos = archipelagos.map((f) => f.properties.name).join("|");
      el.dataset.state = "ready";
    } catch (error) {
      el.dataset.state = "error";
      el.textContent = el.dataset.errorLabel;
      console.error(error);
    }
  }

  function initAll() {
    if (!window.echarts) return;
    document.querySelectorAll("[data-giamsat-map]").forEach((el) => init(el));
  }

  window.GiamSatMaps = { charts, initAll };
  document.addEventListener("DOMContentLoaded", initAll);
})();
