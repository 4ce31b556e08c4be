// Sort a table when its header is clicked. Cells carry their sort key in a
// data-sort attribute, and keys that parse as numbers compare as numbers, so 10
// sorts after 2. Cells without a number (an undefined value) go last in both
// directions.
(function () {
  "use strict";

  function sortKey(cell) {
    var raw = cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent.trim();
    var number = raw === "" ? NaN : Number(raw);
    return { raw: raw, number: number, numeric: !Number.isNaN(number) };
  }

  function compare(a, b, direction) {
    if (a.numeric && b.numeric) {
      return (a.number - b.number) * direction;
    }
    if (a.numeric !== b.numeric) {
      return a.numeric ? -1 : 1;
    }
    return a.raw.localeCompare(b.raw) * direction;
  }

  function sortBy(table, header) {
    var column = Array.prototype.indexOf.call(header.parentNode.children, header);
    var direction = header.getAttribute("aria-sort") === "ascending" ? -1 : 1;
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);

    rows.sort(function (left, right) {
      return compare(sortKey(left.cells[column]), sortKey(right.cells[column]), direction);
    });
    rows.forEach(function (row) {
      body.appendChild(row);
    });

    Array.prototype.forEach.call(header.parentNode.children, function (other) {
      other.removeAttribute("aria-sort");
    });
    header.setAttribute("aria-sort", direction === 1 ? "ascending" : "descending");
  }

  function enable(table) {
    var headerRow = table.tHead ? table.tHead.rows[table.tHead.rows.length - 1] : null;
    if (!headerRow) {
      return;
    }
    Array.prototype.forEach.call(headerRow.cells, function (header) {
      if (header.hasAttribute("data-no-sort") || header.colSpan > 1) {
        return;
      }
      header.classList.add("sortable");
      header.tabIndex = 0;
      header.addEventListener("click", function () {
        sortBy(table, header);
      });
      header.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") {
          event.preventDefault();
          sortBy(table, header);
        }
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("table.js-sortable").forEach(enable);
    document.querySelectorAll("form.js-auto-submit select").forEach(function (select) {
      select.addEventListener("change", function () {
        select.form.submit();
      });
    });
  });
})();
