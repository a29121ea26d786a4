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
