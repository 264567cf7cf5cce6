// The cohort report's tables: click a column heading to sort, type or choose above a table to filter.
// Plain DOM, no library, nothing fetched: the pages work from a folder (file://) and without this
// script the tables are still there, unsorted and complete.
(function () {
  "use strict";

  function sortValue(cell) {
    var raw = cell.getAttribute("data-sort");
    if (raw === null) raw = cell.textContent.trim();
    if (raw === "") return null; // empty cells go last either way
    var number = Number(raw);
    return isNaN(number) ? raw.toLowerCase() : number;
  }

  function compare(a, b) {
    if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
    if (typeof a === "number" && typeof b === "number") return a - b;
    return String(a).localeCompare(String(b), undefined, { numeric: true });
  }

  function sortBy(table, column, heading) {
    var body = table.tBodies[0];
    var ascending = heading.getAttribute("aria-sort") !== "ascending";
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (x, y) {
      var a = sortValue(x.cells[column]), b = sortValue(y.cells[column]);
      if (a === null || b === null) return compare(a, b); // empty last, ascending or not
      return ascending ? compare(a, b) : compare(b, a);
    });
    rows.forEach(function (row) { body.appendChild(row); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) { th.removeAttribute("aria-sort"); });
    heading.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }

  function filter(table) {
    var controls = document.querySelectorAll("[data-filter-for='" + table.id + "']");
    var words = [], choices = [];
    Array.prototype.forEach.call(controls, function (control) {
      var value = control.value.trim().toLowerCase();
      if (!value) return;
      if (control.tagName === "SELECT") choices.push([Number(control.getAttribute("data-column")), value]);
      else words = words.concat(value.split(/\s+/));
    });
    var shown = 0, rows = table.tBodies[0].rows;
    Array.prototype.forEach.call(rows, function (row) {
      var text = row.textContent.toLowerCase();
      var visible = words.every(function (word) { return text.indexOf(word) >= 0; }) &&
        choices.every(function (choice) { return row.cells[choice[0]].textContent.toLowerCase().indexOf(choice[1]) >= 0; });
      row.hidden = !visible;
      if (visible) shown += 1;
    });
    var count = document.querySelector("[data-count-for='" + table.id + "']");
    if (count) count.textContent = "Showing " + shown + " of " + rows.length + " " + (count.getAttribute("data-noun") || "rows") + ".";
  }

  function setUp(table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (heading, column) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.title = "Sort by this column";
      while (heading.firstChild) button.appendChild(heading.firstChild);
      heading.appendChild(button);
      button.addEventListener("click", function () { sortBy(table, column, heading); });
    });
    var controls = document.querySelectorAll("[data-filter-for='" + table.id + "']");
    Array.prototype.forEach.call(controls, function (control) {
      control.addEventListener(control.tagName === "SELECT" ? "change" : "input", function () { filter(table); });
    });
    var search = document.querySelector("input[data-filter-for='" + table.id + "']");
    var asked = new URLSearchParams(window.location.search).get("q");
    if (search && asked) search.value = asked;
    filter(table);
  }

  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), setUp);
})();
