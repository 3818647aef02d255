// The HTML of the report site: the verdict matrix (index.html) and one page per counterexample that
// steps through its trace. Pure functions from data to text; cli/report.ts renders the pictures and
// writes the files. Every page is self-contained: inline CSS and JS, inline SVG, no fonts, no network,
// so that the site works when opened from file://.
//
// Stable element ids for tools and tests:
//   index.html   #matrix (rows tr[data-design], cells td[data-property] with a.trace-link)
//   trace pages  #prev #next #first #last #step-counter #syscall #diff #graph #steps #verdict
import { formatBounds, fmtInt, matrixCellText } from './render.js';
import { inapplicableWhy, surprises, type Report } from './run.js';
import { PROPERTIES } from '../properties/index.js';
import { actorColumns, actorName } from '../traces/text.js';
import type { TraceStep } from '../traces/format.js';

export const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** JSON that is safe inside a <script> element. */
const scriptJson = (v: unknown): string =>
  JSON.stringify(v).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

const CSS = `
:root { color-scheme: light; --red: #c62828; --red-bg: #ffd9d6; --green-bg: #dcf2dc; --blue: #1565c0; --blue-bg: #dbe9ff; --grey: #777; --line: #ccc; }
* { box-sizing: border-box; }
body { font: 14px/1.45 Helvetica, Arial, sans-serif; margin: 0 auto; padding: 16px 20px 40px; max-width: 1400px; color: #1b1b1b; background: #fff; }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 14px; margin: 14px 0 6px; text-transform: uppercase; letter-spacing: .04em; color: #555; }
a { color: var(--blue); }
code, .mono, #syscall, #diff, #steps td.call { font-family: Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 13px; }
.muted { color: var(--grey); }
table.grid { border-collapse: collapse; margin: 8px 0; }
table.grid th, table.grid td { border: 1px solid var(--line); padding: 5px 9px; text-align: left; vertical-align: top; }
table.grid thead th { background: #f3f3f3; font-weight: 600; }
td.violated { background: var(--red-bg); font-weight: 600; } td.holds { background: var(--green-bg); }
td.found { background: var(--blue-bg); } td.not-found { background: #eee; } td.bounded { background: #fff3c4; } td.na { color: #888; }
td.surprise { outline: 2px solid #e65100; outline-offset: -2px; }
.summary { font-weight: normal; color: #555; font-size: 12px; max-width: 320px; }
.controls { display: flex; gap: 8px; align-items: center; margin: 12px 0 8px; flex-wrap: wrap; }
.controls button { font: inherit; padding: 4px 12px; border: 1px solid #999; border-radius: 4px; background: #f7f7f7; cursor: pointer; }
.controls button:disabled { opacity: .4; cursor: default; }
#step-counter { font-weight: 600; min-width: 7em; text-align: center; }
#syscall { background: #f5f5f5; border-left: 4px solid var(--blue); padding: 6px 10px; margin: 4px 0 8px; white-space: pre-wrap; }
.layout { display: grid; grid-template-columns: minmax(0, 1fr) 380px; gap: 18px; align-items: start; }
@media (max-width: 900px) { .layout { grid-template-columns: 1fr; } }
#graph { border: 1px solid var(--line); border-radius: 4px; padding: 6px; overflow: auto; min-height: 120px; }
#graph svg { max-width: 100%; height: auto; display: block; }
#graph.actual svg { max-width: none; }
#graph svg text { font-family: Helvetica, Arial, sans-serif; white-space: pre; }
#diff { list-style: none; padding: 0; margin: 0; }
#diff li { padding: 1px 0; white-space: pre-wrap; }
#diff li.added::before { content: "+ "; color: #2e7d32; } #diff li.removed::before { content: "− "; color: var(--red); }
#diff li.changed::before { content: "~ "; color: var(--blue); } #diff li.fact::before { content: "· "; color: var(--grey); }
#steps-box { max-height: 60vh; overflow: auto; }
#steps { font-size: 12px; margin: 0; } #steps tr { cursor: pointer; } #steps tr.current td { background: var(--blue-bg); }
#steps td.n { text-align: right; color: var(--grey); }
#verdict { border: 1px solid var(--red); background: var(--red-bg); padding: 6px 10px; border-radius: 4px; margin: 8px 0; }
#verdict.witness { border-color: var(--blue); background: var(--blue-bg); }
.legend { font-size: 12px; color: #444; margin-top: 10px; } .legend span { display: inline-block; margin-right: 14px; }
.sw { display: inline-block; width: 12px; height: 12px; vertical-align: -2px; margin-right: 4px; border: 1px solid #999; }
`;

const page = (title: string, body: string, script = ''): string =>
  `<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n` +
  `<title>${esc(title)}</title>\n<style>${CSS}</style>\n</head>\n<body>\n${body}\n${script}</body>\n</html>\n`;

export interface TracePageRef {
  readonly design: string;
  readonly property: string;
  readonly file: string;
}


/** index.html: designs × properties, each violated or found cell linking to its trace page. */
export function indexHtml(reports: readonly Report[], pages: readonly TracePageRef[], generated: string): string {
  const props = PROPERTIES.map((p) => p.name);
  const head = props.map((p) => {
    const def = PROPERTIES.find((x) => x.name === p)!;
    return `<th data-property="${esc(p)}" title="${esc(def.title)}">${esc(p)}${def.kind === 'sometimes' ? ' <span class="muted">(witness)</span>' : ''}</th>`;
  }).join('');
  const rows = reports.map((r) => {
    const odd = new Set(surprises(r).map((s) => s.name));
    const cells = props.map((p) => {
      const v = [...r.properties, ...r.witnesses].find((x) => x.name === p);
      if (!v) return `<td data-property="${esc(p)}">-</td>`;
      const ref = pages.find((x) => x.design === r.design.name && x.property === p);
      const na = inapplicableWhy(r, v);
      const text = esc(matrixCellText(r, v)) + (odd.has(p) ? '!' : '');
      const inner = ref ? `<a class="trace-link" href="${esc(ref.file)}">${text}</a>` : text;
      const tip = na !== undefined ? ` title="${esc(na)}"` : v.message ? ` title="${esc(v.message)}"` : '';
      const status = na !== undefined ? 'n/a' : v.status;
      return `<td class="${na !== undefined ? 'na' : v.status}${odd.has(p) ? ' surprise' : ''}" data-property="${esc(p)}" data-status="${status}"${tip}>${inner}</td>`;
    }).join('');
    return `<tr data-design="${esc(r.design.name)}"><th scope="row"><span class="design">${esc(r.design.name)}</span><div class="summary">${esc(r.design.summary)}</div></th>${cells}` +
      `<td class="num">${fmtInt(r.stats.distinct)}</td><td class="num">${r.stats.seconds.toFixed(1)}</td></tr>`;
  }).join('\n');
  const bounds = [...new Set(reports.map((r) => formatBounds(r.bounds)))];
  const traces = pages.map((p) => {
    const r = reports.find((x) => x.design.name === p.design)!;
    const v = [...r.properties, ...r.witnesses].find((x) => x.name === p.property)!;
    return `<li><a href="${esc(p.file)}">${esc(p.design)}: ${esc(p.property)}</a> (${v.trace!.steps.length} steps) <span class="muted">${esc(v.message ?? '')}</span></li>`;
  }).join('\n');
  const body = `<h1>inflight: verdicts</h1>
<p class="muted">bounds: ${bounds.map(esc).join('; ')}. Generated ${esc(generated)}.</p>
<table id="matrix" class="grid">
<thead><tr><th>design</th>${head}<th>states</th><th>seconds</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
<p class="muted">VIOLATED/n and found/n: the shortest trace has n steps (follow the link to step through it); a trailing ! marks a
verdict the design does not expect; holds/≤N, not-found/≤N: a limit stopped the search first; nothing violated (no witness) within N steps; n/a: the property cannot apply to the design; holds?: a witness that guards it was not found (possibly vacuous).</p>
<h2>Counterexamples and witnesses</h2>
<ul id="traces">
${traces || '<li class="muted">none: no property is violated and no witness was found</li>'}
</ul>
<h2>Properties</h2>
<ul>
${PROPERTIES.map((p) => `<li><b>${esc(p.name)}</b>: ${esc(p.title)}</li>`).join('\n')}
</ul>`;
  return page('inflight: verdicts', body);
}

export interface ViewerStep {
  /** `T0 sendmsg(3, SCM_RIGHTS[5]) = 1`, or `the initial world`. */
  readonly caption: string;
  /** What changed (the whole world for step 0), each with its kind for colouring. */
  readonly changes: readonly { readonly text: string; readonly kind: 'added' | 'removed' | 'changed' | 'fact' }[];
  /** The reference graph after the step, as an inline <svg> element. */
  readonly svg: string;
}

export interface TracePageData {
  readonly design: string;
  readonly property: string;
  readonly kind: 'always' | 'sometimes';
  readonly message: string;
  readonly steps: readonly TraceStep[];
  /** One per world: [0] the initial world, [i] after step i. */
  readonly views: readonly ViewerStep[];
}

function stepsTable(d: TracePageData): string {
  const cols = actorColumns(d.steps);
  const call = (i: number): string => esc(d.views[i]!.caption.replace(/^\S+ /, ''));
  if (!cols) {
    const rows = d.steps.map((s, i) => `<tr data-step="${i + 1}"><td class="n">${i + 1}</td><td>${actorName(s.task)}</td><td class="call">${call(i + 1)}</td></tr>`).join('\n');
    return `<table id="steps" class="grid"><thead><tr><th>#</th><th>actor</th><th>call</th></tr></thead><tbody>\n<tr data-step="0"><td class="n">0</td><td colspan="2" class="muted">the initial world</td></tr>\n${rows}\n</tbody></table>`;
  }
  const rows = d.steps.map((s, i) => `<tr data-step="${i + 1}"><td class="n">${i + 1}</td>${cols.map((a) => `<td class="call">${a === s.task ? call(i + 1) : ''}</td>`).join('')}</tr>`).join('\n');
  return `<table id="steps" class="grid"><thead><tr><th>#</th>${cols.map((a) => `<th>${actorName(a)}</th>`).join('')}</tr></thead><tbody>\n` +
    `<tr data-step="0"><td class="n">0</td><td colspan="${cols.length}" class="muted">the initial world</td></tr>\n${rows}\n</tbody></table>`;
}

const VIEWER_JS = `
(function () {
  var data = JSON.parse(document.getElementById('trace-data').textContent);
  var last = data.views.length - 1;
  var $ = function (id) { return document.getElementById(id); };
  var cur = 0;
  // Scrolls the step list (not the page) so that the current row shows.
  function keepInView(row) {
    var box = $('steps-box'), b = box.getBoundingClientRect(), r = row.getBoundingClientRect();
    if (r.top < b.top) box.scrollTop -= b.top - r.top;
    else if (r.bottom > b.bottom) box.scrollTop += r.bottom - b.bottom;
  }
  function show(i) {
    cur = Math.max(0, Math.min(last, i));
    var v = data.views[cur];
    $('step-counter').textContent = 'step ' + cur + ' / ' + last;
    $('syscall').textContent = cur === 0 ? v.caption : cur + '. ' + v.caption;
    var ul = $('diff');
    while (ul.firstChild) ul.removeChild(ul.firstChild);
    v.changes.forEach(function (c) { var li = document.createElement('li'); li.className = c.kind; li.textContent = c.text; ul.appendChild(li); });
    if (v.changes.length === 0) { var li = document.createElement('li'); li.className = 'fact'; li.textContent = '(nothing changed)'; ul.appendChild(li); }
    $('changes-title').textContent = cur === 0 ? 'the initial world' : 'what step ' + cur + ' changed';
    $('graph').innerHTML = v.svg;
    $('prev').disabled = $('first').disabled = cur === 0;
    $('next').disabled = $('last').disabled = cur === last;
    $('verdict').hidden = cur !== last;
    var rows = document.querySelectorAll('#steps tr[data-step]');
    for (var k = 0; k < rows.length; k++) {
      var on = Number(rows[k].getAttribute('data-step')) === cur;
      rows[k].className = on ? 'current' : '';
      if (on) keepInView(rows[k]);
    }
    try { history.replaceState(null, '', '#step-' + cur); } catch (e) { /* some browsers refuse on file:// */ }
  }
  $('prev').onclick = function () { show(cur - 1); };
  $('next').onclick = function () { show(cur + 1); };
  $('first').onclick = function () { show(0); };
  $('last').onclick = function () { show(last); };
  function zoom() { var g = $('graph'); g.classList.toggle('actual'); $('zoom').textContent = g.classList.contains('actual') ? 'fit to page' : 'actual size'; }
  $('zoom').onclick = zoom;
  var rows = document.querySelectorAll('#steps tr[data-step]');
  for (var k = 0; k < rows.length; k++) rows[k].onclick = function () { show(Number(this.getAttribute('data-step'))); };
  document.addEventListener('keydown', function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    if (e.key === 'ArrowRight' || e.key === 'l') { show(cur + 1); e.preventDefault(); }
    else if (e.key === 'ArrowLeft' || e.key === 'h') { show(cur - 1); e.preventDefault(); }
    else if (e.key === 'Home') { show(0); e.preventDefault(); }
    else if (e.key === 'End') { show(last); e.preventDefault(); }
    else if (e.key === 'z') { zoom(); }
  });
  var m = /^#step-(\\d+)$/.exec(location.hash);
  show(m ? Number(m[1]) : 0);
})();
`;

const LEGEND = `<div class="legend">
<span><span class="sw" style="background:#ffd9d6"></span>unreachable from every fd table (and what its queue or table holds: red arrows)</span>
<span><span class="sw" style="border:3px solid #c62828"></span>named by the violation</span>
<span><span class="sw" style="border:2px solid #1565c0"></span>new since the step before (blue arrows: references that appeared)</span>
<span>solid arrow: a counted reference; dashed grey: a borrowed pointer or a socketpair peer</span>
</div>`;

/** One counterexample (or witness) page. */
export function tracePageHtml(d: TracePageData): string {
  const n = d.steps.length;
  const what = d.kind === 'always' ? 'violated' : 'witness found';
  const body = `<p><a href="index.html">← verdict matrix</a></p>
<h1>${esc(d.design)}: ${esc(d.property)} ${what} in ${n} step${n === 1 ? '' : 's'}</h1>
<p class="muted">${esc(PROPERTIES.find((p) => p.name === d.property)?.title ?? '')}</p>
<div class="controls">
<button id="first" title="first step (Home)">⇤</button>
<button id="prev" title="previous step (←)">← prev</button>
<span id="step-counter">step 0 / ${n}</span>
<button id="next" title="next step (→)">next →</button>
<button id="last" title="last step (End)">⇥</button>
<button id="zoom" title="fit the picture to the page, or show it at its own size (z)">actual size</button>
<span class="muted">keys: ← → Home End, z</span>
</div>
<div id="syscall">${esc(d.views[0]!.caption)}</div>
<div id="verdict" class="${d.kind === 'always' ? 'violation' : 'witness'}" hidden><b>${esc(d.property)}</b> ${d.kind === 'always' ? 'is violated' : 'is witnessed'} after this step: ${esc(d.message)}</div>
<div class="layout">
<div><div id="graph"></div>${LEGEND}</div>
<aside>
<h2 id="changes-title">the initial world</h2>
<ul id="diff"></ul>
<h2>steps</h2>
<div id="steps-box">${stepsTable(d)}</div>
</aside>
</div>
<script type="application/json" id="trace-data">${scriptJson({ views: d.views })}</script>`;
  return page(`inflight: ${d.design} ${d.property}`, body, `<script>${VIEWER_JS}</script>\n`);
}
