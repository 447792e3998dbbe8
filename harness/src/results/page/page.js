// Filtering and diffs only: every number on the page is in the HTML.
(function () {
  var filter = document.getElementById("filter");
  var onlyDiff = document.getElementById("only-diff");
  var shown = document.getElementById("shown");
  function apply() {
    var q = filter.value.trim().toLowerCase();
    var visible = 0;
    document.querySelectorAll("#matrix tbody").forEach(function (body) {
      var topic = body.dataset.topic.toLowerCase();
      var any = false;
      body.querySelectorAll("tr.case").forEach(function (row) {
        var match = (q === "" || row.dataset.name.toLowerCase().indexOf(q) >= 0 || topic.indexOf(q) >= 0) &&
          (!onlyDiff.checked || row.dataset.diff === "1");
        row.hidden = !match;
        if (match) { any = true; visible++; }
        // A hidden case hides its open diffs with it.
        var next = row.nextElementSibling;
        while (next && next.classList.contains("detail")) {
          if (!match) next.hidden = true;
          next = next.nextElementSibling;
        }
        if (!match) row.querySelectorAll("td.shown").forEach(function (td) { td.classList.remove("shown"); });
      });
      body.querySelector("tr.topic").hidden = !any;
    });
    shown.textContent = visible + " case(s) shown";
  }
  filter.addEventListener("input", apply);
  onlyDiff.addEventListener("change", apply);
  document.getElementById("matrix").addEventListener("click", function (event) {
    var td = event.target.closest("td[data-detail]");
    if (!td) return;
    var row = document.getElementById(td.dataset.detail);
    row.hidden = !row.hidden;
    td.classList.toggle("shown", !row.hidden);
  });
  apply();
})();
