using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Zagg.AppHost.Orchestration;

/// <summary>
/// --dashboard: a page on 127.0.0.1 with the run's services, workers, queue depths, progress and
/// failures, refreshed every second from /api/state.
/// </summary>
public static class Dashboard
{
    public static void Map(WebApplication app, Func<CancellationToken, Task<JsonObject>> state)
    {
        app.MapGet("/", () => Results.Content(Page, "text/html; charset=utf-8"));
        app.MapGet("/api/state", async (CancellationToken ct) => Results.Content((await state(ct)).ToJsonString(), "application/json"));
    }

    private const string Page = """
<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>zagg run</title>
<style>
body{font:14px system-ui,sans-serif;margin:2em;color:#222}h1{font-size:1.3em}h2{font-size:1.05em;margin-top:1.6em}
table{border-collapse:collapse}td,th{padding:.25em .8em;border-bottom:1px solid #ddd;text-align:left}
.bar{width:420px;height:14px;background:#eee;border-radius:7px;overflow:hidden}.bar div{height:100%;background:#3a7}
.err{color:#b22}.muted{color:#888}
</style></head><body>
<h1>zagg run <span id="run" class="muted"></span></h1>
<div class="bar"><div id="bar" style="width:0"></div></div>
<p id="progress">waiting for the first message…</p>
<h2>Services</h2><table id="services"></table>
<h2>Workers</h2><table id="workers"></table>
<h2>Queues</h2><table id="queues"></table>
<h2>Failures</h2><table id="failures"></table>
<script>
const esc = s => String(s ?? '').replace(/[&<>"]/g, c => ({'&':'&amp;','<':'&lt;','>':'&gt;','"':'&quot;'}[c]));
const rows = (el, head, list) => document.getElementById(el).innerHTML =
  '<tr>' + head.map(h => '<th>' + esc(h) + '</th>').join('') + '</tr>' +
  (list.length ? list.map(r => '<tr>' + r.map(c => '<td>' + esc(c) + '</td>').join('') + '</tr>').join('') : '<tr><td class="muted" colspan="' + head.length + '">none</td></tr>');
async function tick() {
  try {
    const s = await (await fetch('/api/state')).json();
    document.getElementById('run').textContent = s.run.id + ' → ' + s.run.store + ' (' + s.run.transport + ')';
    const total = s.run.planned || 0, done = s.run.done + s.run.failed;
    document.getElementById('bar').style.width = (total ? 100 * done / total : 0) + '%';
    document.getElementById('progress').innerHTML = esc(done + '/' + total + ' cells, ' + s.run.observations + ' obs, ' +
      s.run.obs_per_second.toFixed(0) + ' obs/s, ' + s.run.failed + ' failed, ' + s.run.elapsed_s.toFixed(1) + ' s') +
      (s.run.completed ? '<br><b>' + esc(s.run.completed) + '</b>' : '');
    rows('services', ['service', 'where'], s.services.map(x => [x.name, x.where]));
    rows('workers', ['worker', 'process', 'cells', 'state'], s.workers.map(x => [x.name, x.pid ?? '', x.cells, x.state]));
    rows('queues', ['queue', 'messages'], s.queues.map(x => [x.name, x.depth ?? '—']));
    document.getElementById('failures').className = s.failures.length ? 'err' : '';
    rows('failures', ['cell', 'attempts', 'error'], s.failures.map(x => [x.cell, x.attempts, x.error]));
  } catch (e) { document.getElementById('progress').textContent = 'the run has ended (' + e + ')'; }
}
tick(); setInterval(tick, 1000);
</script></body></html>
""";
}
