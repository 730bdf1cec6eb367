#include "server/dashboard.h"

namespace aishell {

const std::string& DashboardHtml() {
  static const std::string kPage = R"HTML(<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>aishell serve</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.3em; } h2 { font-size: 1.05em; margin-top: 1.5em; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #ddd; vertical-align: top; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.FAILED { color: #b00020; } .RUNNING, .QUEUED { color: #0b5cad; }
.bar { background: #4a90d9; height: 10px; display: inline-block; }
.errbar { background: #d9534f; height: 10px; display: inline-block; }
code { white-space: pre-wrap; font-size: 12px; }
</style></head>
<body>
<h1>aishell serve</h1>
<div id="status">loading...</div>
<div id="budgets"></div>
<h2>Sources</h2>
<table id="sources"><thead><tr><th>source</th><th>queries</th><th>avg ms</th><th>latency</th>
<th>errors</th><th>rows read</th></tr></thead><tbody></tbody></table>
<h2>Queries (running first, then recent)</h2>
<table id="queries"><thead><tr><th>id</th><th>state</th><th>user</th><th>ms</th><th>rows</th>
<th>sources</th><th>budgets</th><th>slowest steps</th><th>query</th></tr></thead>
<tbody></tbody></table>
<script>
function cell(tr, text, cls) {
  const td = document.createElement('td');
  td.textContent = text;
  if (cls) td.className = cls;
  tr.appendChild(td);
  return td;
}
function pct(x) { return (100 * x).toFixed(1) + '%'; }
// How close a query came to federation.max_memory and federation.max_query_time.
function budgetText(q) {
  const parts = [];
  if (q.maxMemory > 0) parts.push('memory ' + pct(q.peakMemory / q.maxMemory));
  if (q.maxQueryTimeMs > 0) parts.push('time ' + pct(q.elapsedMillis / q.maxQueryTimeMs));
  return parts.join(', ');
}
function mib(n) { return (n / 1048576).toFixed(1) + ' MiB'; }
function showBudgets(queries) {
  const withMem = queries.filter(q => q.maxMemory > 0);
  if (!withMem.length) return;
  const mem = withMem.reduce((a, b) => b.peakMemory / b.maxMemory > a.peakMemory / a.maxMemory ? b : a);
  let text = 'federation.max_memory ' + mib(mem.maxMemory) + ': closest ' + mib(mem.peakMemory) +
      ' (' + pct(mem.peakMemory / mem.maxMemory) + ', ' + mem.queryId + ')';
  const withTime = queries.filter(q => q.maxQueryTimeMs > 0);
  if (withTime.length) {
    const t = withTime.reduce((a, b) =>
        b.elapsedMillis / b.maxQueryTimeMs > a.elapsedMillis / a.maxQueryTimeMs ? b : a);
    text += '; federation.max_query_time ' + t.maxQueryTimeMs / 1000 + ' s: closest ' +
        t.elapsedMillis + ' ms (' + pct(t.elapsedMillis / t.maxQueryTimeMs) + ', ' + t.queryId + ')';
  } else {
    text += '; federation.max_query_time: none';
  }
  document.getElementById('budgets').textContent = text;
}
async function refresh() {
  let queries;
  try {
    const r = await fetch('/v1/query', {credentials: 'same-origin'});
    queries = await r.json();
  } catch (e) {
    document.getElementById('status').textContent = 'cannot reach the server: ' + e;
    return;
  }
  const running = queries.filter(q => q.state === 'RUNNING' || q.state === 'QUEUED').length;
  document.getElementById('status').textContent =
      running + ' running, ' + (queries.length - running) + ' recent';
  showBudgets(queries);
  const qb = document.querySelector('#queries tbody');
  qb.replaceChildren();
  const per = {};
  for (const q of queries) {
    const tr = document.createElement('tr');
    tr.className = 'query';
    cell(tr, q.queryId);
    cell(tr, q.state + (q.errorName ? ' ' + q.errorName : ''), q.state);
    cell(tr, q.user);
    cell(tr, q.elapsedMillis, 'num');
    cell(tr, q.outputRows, 'num');
    cell(tr, q.sources.map(s => s.name).join(', ') + (q.cacheHit ? ' (cached)' : ''));
    cell(tr, budgetText(q));
    cell(tr, (q.slowestSteps || []).map(s => s.step + ' ' + Math.round(1000 * s.seconds) +
                                        ' ms').join('; '));
    const code = document.createElement('code');
    code.textContent = q.query;
    cell(tr, '').appendChild(code);
    qb.appendChild(tr);
    for (const s of q.sources) {
      const p = per[s.name] || (per[s.name] = {n: 0, ms: 0, errors: 0, rows: 0});
      p.n++; p.ms += q.elapsedMillis; p.rows += s.rows;
      if (q.state === 'FAILED') p.errors++;
    }
  }
  const sb = document.querySelector('#sources tbody');
  sb.replaceChildren();
  const maxAvg = Math.max(1, ...Object.values(per).map(p => p.ms / p.n));
  for (const [name, p] of Object.entries(per).sort()) {
    const tr = document.createElement('tr');
    cell(tr, name);
    cell(tr, p.n, 'num');
    cell(tr, Math.round(p.ms / p.n), 'num');
    const bar = document.createElement('span');
    bar.className = 'bar';
    bar.style.width = Math.round(200 * (p.ms / p.n) / maxAvg) + 'px';
    cell(tr, '').appendChild(bar);
    const err = cell(tr, p.errors, 'num');
    if (p.errors) {
      const e = document.createElement('span');
      e.className = 'errbar';
      e.style.width = Math.round(60 * p.errors / p.n) + 'px';
      err.appendChild(e);
    }
    cell(tr, p.rows, 'num');
    sb.appendChild(tr);
  }
}
refresh();
setInterval(refresh, 2000);
</script>
</body></html>
)HTML";
  return kPage;
}

}  // namespace aishell
