(function () {
  "use strict";
  var table = document.getElementById("findings-table");
  var sev = document.getElementById("filter-severity"), cat = document.getElementById("filter-category"),
      el = document.getElementById("filter-element"), shown = document.getElementById("findings-shown");
  function apply() {
    if (!table) return;
    var n = 0;
    Array.prototype.forEach.call(table.tBodies[0].rows, function (r) {
      var ok = (!sev.value || r.dataset.severity === sev.value) && (!cat.value || r.dataset.category === cat.value) &&
               (!el.value || r.dataset.el === el.value);
      r.hidden = !ok;
      if (ok) n++;
    });
    shown.textContent = n + " of " + table.tBodies[0].rows.length + " shown";
  }
  if (table) {
    [sev, cat, el].forEach(function (s) { s.addEventListener("change", apply); });
    Array.prototype.forEach.call(table.querySelectorAll("th button"), function (b) {
      b.addEventListener("click", function () {
        var key = b.dataset.key, body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
        var dir = b.dataset.dir === "asc" ? -1 : 1;
        b.dataset.dir = dir === 1 ? "asc" : "desc";
        rows.sort(function (x, y) {
          var a = x.dataset[key], c = y.dataset[key], na = Number(a), nc = Number(c);
          var r = (!isNaN(na) && !isNaN(nc)) ? na - nc : a.localeCompare(c);
          return dir * (r || Number(x.dataset.order) - Number(y.dataset.order));
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
    apply();
  }
  // Diagram elements and element links select their findings; so does a link to the page with an
  // element's anchor (review.html#el-c0).
  function select(key) {
    if (!table || !/^[cef][0-9]+$/.test(key) || !el.querySelector('option[value="' + key + '"]')) return false;
    sev.value = ""; cat.value = ""; el.value = key;
    apply();
    return true;
  }
  document.addEventListener("click", function (e) {
    var a = e.target.closest ? e.target.closest("a") : null;
    if (!a) return;
    var href = a.getAttribute("href") || a.getAttribute("xlink:href") || "";
    if (href.indexOf("#el-") !== 0 || !select(href.slice(4))) return;
    e.preventDefault();
    document.getElementById("findings").scrollIntoView();
  });
  if (location.hash.indexOf("#el-") === 0) select(location.hash.slice(4));
  window.addEventListener("beforeprint", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details"), function (d) { d.open = true; });
  });
})();
