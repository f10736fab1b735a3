// Tables sort by a column when its header is clicked; the page is complete without this.
document.querySelectorAll("table.sortable").forEach(function (t) {
  var heads = t.tHead.rows[0].cells;
  Array.prototype.forEach.call(heads, function (th, i) {
    var b = document.createElement("button");
    b.type = "button";
    b.textContent = th.textContent;
    th.textContent = "";
    th.appendChild(b);
    b.addEventListener("click", function () {
      var asc = th.getAttribute("aria-sort") !== "ascending";
      Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", asc ? "ascending" : "descending");
      var body = t.tBodies[0];
      var key = function (r) {
        var c = r.cells[i], v = c && c.getAttribute("data-v");
        return v === null || v === undefined || v === "" ? (c ? c.textContent : "") : parseFloat(v);
      };
      // A row that sums the others (class "sum") stays last, whatever the order.
      var rows = Array.prototype.slice.call(body.rows);
      var sums = rows.filter(function (r) { return r.classList.contains("sum"); });
      rows.filter(function (r) { return !r.classList.contains("sum"); }).sort(function (a, b) {
        var x = key(a), y = key(b);
        var d = typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y));
        return asc ? d : -d;
      }).concat(sums).forEach(function (r) { body.appendChild(r); });
    });
  });
});
