"""The page's stylesheet and script, inlined into every report (no file, no network).

The script sorts, filters and pages the trial table from the JSON the page embeds, shows a
tooltip for any element carrying ``data-t`` (a job's id) and highlights the job's lineage (its
parents, promotion by promotion), and, in the dashboard, polls the server's small state
endpoint and reloads the page when the project changed, keeping the table's state and the
scroll position.
"""

from __future__ import annotations

__all__ = ["CSS", "SCRIPT"]

CSS = """
*{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#222;
 background:#f6f7f9}
header,main{max-width:1240px;margin:0 auto;padding:12px 20px}
header h1{font-size:22px;margin:8px 0 2px}
.sub{color:#555}
section{background:#fff;border:1px solid #e1e4e8;border-radius:6px;margin:14px 0;padding:10px 16px}
section h2{font-size:16px;margin:4px 0 8px}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin-top:10px}
.card{background:#fff;border:1px solid #e1e4e8;border-radius:6px;padding:8px 12px;min-width:180px}
.card b{display:block;font-size:20px}
.card small{display:block;color:#555}
.notice{margin-top:10px;padding:6px 12px;border-left:4px solid #4c78a8;background:#fff;
 font-size:13px}
.notice.warn{border-left-color:#c0392b;background:#fdf0ee}
.bar{height:6px;background:#e9ecef;border-radius:3px;margin-top:4px;overflow:hidden}
.bar i{display:block;height:100%;background:#4c78a8}
.live{display:inline-block;padding:1px 8px;border-radius:10px;background:#e6f4ea;color:#1e7b34;
 font-size:12px;margin-left:8px}
.live.off{background:#fdecea;color:#a3231a}
svg.plot{width:100%;height:auto;display:block}
svg text{font:11px system-ui,sans-serif;fill:#444}
svg .label{font-size:12px;fill:#222}
svg .small{font-size:10px;fill:#666}
.frame{fill:none;stroke:#ccc}
.grid{stroke:#eee}
.curves path{fill:none;stroke-width:1.3;stroke-linecap:round}
.curves path.p{stroke-width:3.5}
.curves path.hl,.bracket circle.hl{stroke:#000!important;stroke-opacity:1;stroke-width:2.6}
.joint{stroke:#222;stroke-width:4;stroke-linecap:round;fill:none;opacity:.55}
.pdots{stroke:#9aa4ae;stroke-width:4;stroke-linecap:round;fill:none;opacity:.6}
.best{fill:none;stroke:#d6336c;stroke-width:2.2}
.plan{stroke:#555;stroke-dasharray:4 3}
.pd{stroke-width:5;stroke-linecap:round;fill:none;opacity:.75}
.promo{stroke:#555;stroke-width:1;fill:none;opacity:.55}
.slot{fill:none;stroke:#999;stroke-dasharray:2 2}
.running{stroke:#4c78a8;stroke-width:1.5}
.brackets{display:flex;flex-wrap:wrap;gap:8px}
svg.bracket{background:#fcfcfd;border:1px solid #eceff3;border-radius:4px}
.params{display:flex;flex-wrap:wrap;gap:8px}
.params figure{margin:0;width:310px}
.params figcaption{font-weight:600;font-size:13px;white-space:nowrap;overflow:hidden;
 text-overflow:ellipsis}
svg.param{width:310px;height:230px}
.legend,.note{color:#555;font-size:12px;margin:4px 0}
.sw{display:inline-block;width:10px;height:10px;border-radius:2px;margin:0 3px 0 6px;
 vertical-align:middle}
.sw.ring{border:1.5px dashed #999;border-radius:50%}
.empty{color:#888;font-style:italic}
table{border-collapse:collapse;font-size:12.5px}
th,td{padding:3px 8px;border-bottom:1px solid #eee;text-align:left;white-space:nowrap}
td.num{text-align:right;font-variant-numeric:tabular-nums}
#trials th{cursor:pointer;user-select:none;background:#f3f4f6;position:sticky;top:0}
#trials th.asc:after{content:" \\25B2"}#trials th.desc:after{content:" \\25BC"}
.tablewrap{overflow:auto;max-height:560px}
.tools{display:flex;gap:10px;align-items:center;margin:6px 0}
.tools input{padding:3px 6px;width:260px}
td.COMPLETED{color:#1e7b34}td.FAILED{color:#c92a2a}td.PRUNED{color:#777}td.RUNNING{color:#1c64b0}
td.err{max-width:420px;overflow:hidden;text-overflow:ellipsis;color:#a3231a}
.kv td{white-space:normal;overflow-wrap:anywhere}
.kv td:first-child{color:#555}
#trials td,#trials th{max-width:320px;overflow:hidden;text-overflow:ellipsis}
#trials td.err{max-width:420px}
#tip{position:fixed;pointer-events:none;background:#fff;border:1px solid #bbb;border-radius:4px;
 padding:6px 8px;font-size:12px;box-shadow:0 2px 6px rgba(0,0,0,.15);display:none;z-index:9;
 max-width:360px}
"""

SCRIPT = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("rung-data").textContent);
  var cols = data.columns, rows = data.rows, byId = {};
  rows.forEach(function (r) { byId[r[0]] = r; });
  var store = window.sessionStorage, saved = null;
  try { saved = JSON.parse(store.getItem("rung-view") || "null"); } catch (e) { saved = null; }
  var st = saved || {key: -1, desc: false, page: 0, filter: ""};
  var SIZE = 50, shown = rows;
  function fmt(v) {
    if (v === null || v === undefined) return "";
    if (typeof v !== "number") return String(v);
    if (Number.isInteger(v)) return String(v);
    var a = Math.abs(v);
    return a >= 1e-3 && a < 1e6 ? String(+v.toPrecision(5)) : v.toExponential(3);
  }
  function compute() {
    var f = st.filter.toLowerCase();
    shown = !f ? rows.slice() : rows.filter(function (r) {
      return r.some(function (c) { return c !== null && String(c).toLowerCase().indexOf(f) >= 0; });
    });
    if (st.key >= 0) {
      var k = st.key, sign = st.desc ? -1 : 1, num = cols[k][2];
      shown.sort(function (a, b) {
        var x = a[k], y = b[k];
        if (x === y) return 0;
        if (x === null) return 1;
        if (y === null) return -1;
        if (num && typeof x === "number" && typeof y === "number") return sign * (x - y);
        return sign * String(x).localeCompare(String(y), undefined, {numeric: true});
      });
    }
  }
  var table = document.getElementById("trials");
  var info = document.getElementById("pageinfo");
  function render() {
    var pages = Math.max(1, Math.ceil(shown.length / SIZE));
    st.page = Math.min(Math.max(st.page, 0), pages - 1);
    var body = document.createElement("tbody");
    shown.slice(st.page * SIZE, (st.page + 1) * SIZE).forEach(function (r) {
      var tr = document.createElement("tr");
      r.forEach(function (c, i) {
        var td = document.createElement("td");
        td.textContent = fmt(c);
        if (typeof c === "string" && c.length > 40) td.title = c;  // a cell cut with "..."
        if (cols[i][2]) td.className = "num";
        if (cols[i][0] === "status") td.className = String(c);
        if (cols[i][0] === "error" && c) { td.className = "err"; td.title = c; }
        tr.appendChild(td);
      });
      body.appendChild(tr);
    });
    table.replaceChild(body, table.tBodies[0]);
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
      th.className = i === st.key ? (st.desc ? "desc" : "asc") : "";
    });
    info.textContent = shown.length ? "rows " + (st.page * SIZE + 1) + "\u2013" +
      Math.min(shown.length, (st.page + 1) * SIZE) + " of " + shown.length : "no row matches";
    try { store.setItem("rung-view", JSON.stringify(st)); } catch (e) { /* private mode */ }
  }
  var head = document.createElement("tr");
  cols.forEach(function (c, i) {
    var th = document.createElement("th");
    th.textContent = c[1]; th.title = c[1];
    th.addEventListener("click", function () {
      st.desc = st.key === i ? !st.desc : false; st.key = i; st.page = 0; compute(); render();
    });
    head.appendChild(th);
  });
  table.createTHead().appendChild(head);
  table.appendChild(document.createElement("tbody"));
  var filter = document.getElementById("filter");
  filter.value = st.filter;
  filter.addEventListener("input", function () { st.filter = filter.value; st.page = 0; compute(); render(); });
  document.getElementById("prev").addEventListener("click", function () { st.page--; render(); });
  document.getElementById("next").addEventListener("click", function () { st.page++; render(); });
  compute(); render();

  var tip = document.getElementById("tip"), lit = [];
  function lineage(id) {
    var chain = [], seen = {};
    while (id && byId[id] && !seen[id]) { seen[id] = 1; chain.push(id); id = byId[id][5]; }
    return chain;
  }
  function describe(id) {
    var r = byId[id], out = [];
    if (!r) return id;
    out.push("<b>trial " + esc(id) + "</b> \u00b7 " + esc(r[1]));
    out.push("bracket " + fmt(r[3]) + " \u00b7 rung " + fmt(r[4]) + " \u00b7 epochs " + fmt(r[6]) + "\u2013" + fmt(r[7]));
    out.push(esc(cols[8][1]) + ": " + (r[8] === null ? "\u2013" : fmt(r[8])));
    cols.forEach(function (c, i) {
      if (c[0].indexOf("hp:") === 0 && r[i] !== null) out.push(esc(c[1]) + " = " + esc(fmt(r[i])));
    });
    return out.join("<br>");
  }
  function esc(s) {
    return String(s).replace(/[&<>"]/g, function (ch) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;"}[ch];
    });
  }
  function clear() { lit.forEach(function (el) { el.classList.remove("hl"); }); lit = []; }
  document.addEventListener("mouseover", function (ev) {
    var el = ev.target.closest ? ev.target.closest("[data-t]") : null;
    clear();
    if (!el) { tip.style.display = "none"; return; }
    var id = el.getAttribute("data-t");
    lineage(id).forEach(function (t) {
      document.querySelectorAll('[data-t="' + CSS.escape(t) + '"]').forEach(function (n) {
        n.classList.add("hl"); lit.push(n);
      });
    });
    tip.innerHTML = describe(id);
    tip.style.display = "block";
  });
  document.addEventListener("mousemove", function (ev) {
    tip.style.left = Math.min(ev.clientX + 14, window.innerWidth - 370) + "px";
    tip.style.top = (ev.clientY + 14) + "px";
  });
  document.addEventListener("click", function (ev) {
    var el = ev.target.closest ? ev.target.closest("svg [data-t]") : null;
    if (!el) return;
    st.filter = el.getAttribute("data-t"); filter.value = st.filter; st.page = 0;
    compute(); render(); table.scrollIntoView({behavior: "smooth"});
  });

  var live = data.live;
  if (live) {
    var badge = document.getElementById("live");
    var y = store.getItem("rung-scroll");
    if (y !== null) { window.scrollTo(0, +y); store.removeItem("rung-scroll"); }
    var poll = function () {
      fetch(live.url, {cache: "no-store"}).then(function (r) { return r.json(); }).then(function (s) {
        badge.className = "live"; badge.textContent = "live \u00b7 " + s.jobs + " jobs";
        if (s.token !== live.token) {
          store.setItem("rung-scroll", String(window.scrollY)); window.location.reload();
        }
      }).catch(function () { badge.className = "live off"; badge.textContent = "server unreachable"; });
    };
    window.setInterval(poll, live.every_ms);
  }
})();
"""
