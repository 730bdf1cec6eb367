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
<h2>Sources</h2>
<table id="sources"><thead><tr><th>source</th><th>queries</th><th>avg ms</th><th>latency</th>
<th>errors</th><th>rows read</th></tr></thead><tbody></tbody></table>
<h2>Queries (running first, then recent)</h2>
<table id="queries"><thead><tr><th>id</th><th>state</th><th>user</th><th>ms</th><th>rows</th>
<th>sources</th><th>query</th></tr></thead><tbody></tbody></table>
<script>
function cell(tr, text, cls) {
  const td = document.createElement('td');
  td.textContent = text;
  if (cls) td.className = cls;
  tr.appendChild(td);
  return td;
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
    cell(tr, q.sources.map(s => s.name).join(', '));
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
