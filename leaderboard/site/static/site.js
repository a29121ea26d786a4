// Sortable tables: click a column header to sort by it; numbers sort numerically, empty cells last.
"use strict";

function sortTable(table, index, header) {
  const numeric = header.dataset.type === "number";
  const previous = header.getAttribute("aria-sort");
  const descending = previous ? previous === "ascending" : numeric;
  const body = table.tBodies[0];
  const rows = Array.from(body.rows);
  rows.sort(function (a, b) {
    const x = a.cells[index].dataset.sort;
    const y = b.cells[index].dataset.sort;
    if (x === "" || y === "") { return (x === "") - (y === ""); }
    const order = numeric ? parseFloat(x) - parseFloat(y) : x.localeCompare(y);
    return descending ? -order : order;
  });
  rows.forEach(function (row) { body.appendChild(row); });
  table.querySelectorAll("thead th").forEach(function (th) { th.removeAttribute("aria-sort"); });
  header.setAttribute("aria-sort", descending ? "descending" : "ascending");
}

document.querySelectorAll("table.sortable").forEach(function (table) {
  table.querySelectorAll("thead th").forEach(function (header, index) {
    header.querySelector("button").addEventListener("click", function () { sortTable(table, index, header); });
  });
});
document.documentElement.dataset.sortable = "ready";

// Interactive charts (bundled uPlot): one chart per figure element, data from the page's JSON block.
// baseline and reset_full are references, always drawn; the picker shows or hides the other methods in every
// chart, and a click on a legend entry toggles that method in one chart. Min–max bands over seeds are drawn
// for the references and for the line under the cursor.
const PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#bcbd22", "#17becf",
  "#393b79", "#ad494a", "#637939", "#8c6d31", "#7b4173", "#3182bd", "#e6550d", "#31a354", "#756bb1", "#636363",
  "#6baed6", "#fd8d3c", "#74c476", "#9e9ac8", "#e7969c", "#c49c94", "#f7b6d2", "#dbdb8d", "#9edae5", "#843c39", "#5254a3"];
const REFERENCE_STYLE = { baseline: { stroke: "#000000", dash: [] }, reset_full: { stroke: "#888888", dash: [6, 4] } };
const charts = [];

function seriesStyle(series, index) {
  if (series.reference) {
    const style = REFERENCE_STYLE[series.method] || { stroke: "#444444", dash: [2, 2] };
    return { stroke: style.stroke, dash: style.dash, width: 2.5 };
  }
  const colour = PALETTE[index % PALETTE.length];
  const dash = [[], [8, 3], [2, 3]][Math.floor(index / PALETTE.length) % 3];
  return { stroke: colour, dash: dash, width: 1.5 };
}

function drawBands(u, data) {
  const ctx = u.ctx;
  data.series.forEach(function (series, i) {
    const shown = u.series[i + 1].show;
    if (!shown || !series.low || !(series.reference || u.focusedIndex === i + 1)) { return; }
    ctx.save();
    ctx.beginPath();
    let started = false;
    const back = [];
    data.x.forEach(function (x, k) {
      if (series.low[k] === null || series.low[k] === undefined) { return; }
      const px = u.valToPos(x, "x", true);
      const top = u.valToPos(series.high[k], "y", true);
      back.push([px, u.valToPos(series.low[k], "y", true)]);
      if (started) { ctx.lineTo(px, top); } else { ctx.moveTo(px, top); started = true; }
    });
    back.reverse().forEach(function (point) { ctx.lineTo(point[0], point[1]); });
    ctx.closePath();
    ctx.globalAlpha = 0.15;
    ctx.fillStyle = u.series[i + 1]._stroke || "#888";
    ctx.fill();
    ctx.restore();
  });
}

function drawChart(element, data) {
  const width = Math.max(480, Math.min(element.parentElement.clientWidth - 8, 1160));
  const options = {
    width: width,
    height: 360,
    title: data.title,
    scales: { x: { time: false, distr: data.xlog ? 3 : 1 } },
    axes: [{ label: data.xlabel }, { label: data.ylabel, size: 60 }],
    cursor: { focus: { prox: 24 } },
    focus: { alpha: 0.25 },
    legend: { live: true },
    series: [{ label: data.xlabel }].concat(data.series.map(function (series, i) {
      const style = seriesStyle(series, i);
      return { label: series.label, stroke: style.stroke, dash: style.dash, width: style.width, spanGaps: true, points: { show: false } };
    })),
    hooks: {
      draw: [function (u) { drawBands(u, data); }],
      setSeries: [function (u, index, opts) { if (opts && opts.focus !== undefined) { u.focusedIndex = opts.focus ? index : null; u.redraw(false, false); } }],
    },
  };
  const values = [data.x].concat(data.series.map(function (series) { return series.y; }));
  element.querySelector("figcaption").remove();
  const plot = new uPlot(options, values, element);
  charts.push({ plot: plot, data: data, element: element });
}

function applyPicker() {
  const hidden = new Set();
  document.querySelectorAll(".picker input[data-method]").forEach(function (box) { if (!box.checked) { hidden.add(box.dataset.method); } });
  charts.forEach(function (chart) {
    chart.data.series.forEach(function (series, i) {
      const show = series.reference || !hidden.has(series.label);
      if (chart.plot.series[i + 1].show !== show) { chart.plot.setSeries(i + 1, { show: show }); }
    });
  });
  document.documentElement.dataset.picked = String(charts.length ? charts[0].plot.series.filter(function (s, i) { return i > 0 && s.show; }).length : 0);
}

const chartData = document.getElementById("chart-data");
if (chartData && typeof uPlot !== "undefined") {
  const byId = {};
  JSON.parse(chartData.textContent).forEach(function (data) { byId[data.id] = data; });
  document.querySelectorAll("figure.chart[data-chart]").forEach(function (element) {
    const data = byId[element.dataset.chart];
    if (data && data.x.length) { drawChart(element, data); }
  });
  document.querySelectorAll(".picker input[data-method]").forEach(function (box) { box.addEventListener("change", applyPicker); });
  document.querySelectorAll(".picker button[data-pick]").forEach(function (button) {
    button.addEventListener("click", function () {
      document.querySelectorAll(".picker input[data-method]").forEach(function (box) { box.checked = button.dataset.pick === "all"; });
      applyPicker();
    });
  });
  applyPicker();
}
document.documentElement.dataset.charts = String(charts.length);
