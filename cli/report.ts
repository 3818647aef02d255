// The report site: `inflight report --out DIR [--designs a,b,…] [bounds]` and `inflight check … --html DIR`.
// A static site that works from file://: DIR/index.html (the verdict matrix) and one page per
// counterexample or witness (DIR/<design>--<property>.html) with the picture of every step inline.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { World } from '../model/world.js';
import { builtinDesigns } from '../model/designs/index.js';
import { PROPERTIES } from '../properties/index.js';
import { describeWorld, diffFacts, formatChange } from '../traces/describe.js';
import { stepCaption, traceToDots } from '../traces/dot.js';
import type { TraceStep } from '../traces/format.js';
import { dotToSvg } from '../traces/svg.js';
import { loadDesign } from './designs.js';
import { UserError } from './errors.js';
import type { Parsed } from './command.js';
import type { CliKit, Io, Values } from './kit.js';
import { makeDir, writeDotFiles, writeText } from './pictures.js';
import { matrixRowJson } from './json-results.js';
import { surprises, runCheck, type Report } from './run.js';
import { indexHtml, tracePageHtml, type TracePageRef, type ViewerStep } from './viewer.js';

export interface SiteSummary {
  readonly dir: string;
  readonly pages: readonly TracePageRef[];
  readonly pictures: number;
  /** Every file of the site with its size in bytes. */
  readonly files: readonly { readonly file: string; readonly bytes: number }[];
  readonly bytes: number;
  readonly seconds: number;
}

/** A graph as an element to inline in HTML: without the XML prolog, doctype and comments, and without
 *  the font family repeated on every text (the page's CSS sets it): about 15% fewer bytes. */
const inlineSvg = (svg: string): string => svg.slice(Math.max(0, svg.indexOf('<svg')))
  .replace(/<!--[^]*?-->\n?/g, '').replace(/ font-family="Helvetica,sans-Serif"/g, '').replace(/ xml:space="preserve"/g, '');

async function views(steps: readonly TraceStep[], worlds: readonly World[], report: Report, violation: string): Promise<ViewerStep[]> {
  const dots = traceToDots(steps, worlds, { design: report.design, violation, titles: false });
  const out: ViewerStep[] = [];
  for (let i = 0; i < worlds.length; i++) {
    const after = describeWorld(worlds[i]!, report.design.refcount);
    const changes = i === 0
      ? [...after].map(([k, v]) => ({ text: `${k}: ${v}`, kind: 'fact' as const }))
      : diffFacts(describeWorld(worlds[i - 1]!, report.design.refcount), after).map((c) => ({
        text: formatChange(c),
        kind: c.after === undefined || c.after === 'released' || c.after === 'exited' ? 'removed' as const : c.before === undefined ? 'added' as const : 'changed' as const,
      }));
    out.push({ caption: i === 0 ? 'the initial world' : stepCaption(steps[i - 1]!), changes, svg: inlineSvg(await dotToSvg(dots[i]!)) });
  }
  return out;
}

const safeName = (s: string): string => s.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^\.+/, '_') || 'design';

/** Writes the site for the reports into dir (created if needed). */
export async function writeSite(dir: string, reports: readonly Report[]): Promise<SiteSummary> {
  const started = process.hrtime.bigint();
  makeDir(dir);
  const pages: TracePageRef[] = [];
  const used = new Set<string>(['index.html']);
  let pictures = 0;
  for (const r of reports) {
    for (const v of [...r.properties, ...r.witnesses]) {
      if (!v.trace || !v.worlds) continue;
      let file = `${safeName(r.design.name)}--${v.name}.html`;
      for (let k = 2; used.has(file); k++) file = `${safeName(r.design.name)}-${k}--${v.name}.html`;
      used.add(file);
      const vs = await views(v.trace.steps, v.worlds, r, v.trace.violation);
      pictures += vs.length;
      const kind = PROPERTIES.find((p) => p.name === v.name)?.kind ?? 'always';
      writeText(join(dir, file), tracePageHtml({ design: r.design.name, property: v.name, kind, message: v.message ?? v.trace.violation, steps: v.trace.steps, views: vs }));
      pages.push({ design: r.design.name, property: v.name, file });
    }
  }
  writeText(join(dir, 'index.html'), indexHtml(reports, pages, new Date().toISOString().replace(/\.\d+Z$/, 'Z')));
  const files = [...used].filter((f) => readdirSync(dir).includes(f)).map((f) => ({ file: f, bytes: statSync(join(dir, f)).size }));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { dir, pages, pictures, files, bytes: files.reduce((a, f) => a + f.bytes, 0), seconds };
}

const kb = (n: number): string => `${(n / 1024).toFixed(0)} KB`;

export function siteLine(s: SiteSummary): string {
  const largest = s.files.reduce((a, f) => (f.bytes > a.bytes ? f : a), { file: '', bytes: 0 });
  return `wrote ${join(s.dir, 'index.html')}: ${s.pages.length} trace page${s.pages.length === 1 ? '' : 's'}, ${s.pictures} pictures, ` +
    `${kb(s.bytes)} in ${s.files.length} files (largest ${largest.file}, ${kb(largest.bytes)}), ${s.seconds.toFixed(1)} s`;
}

/** inflight report --out DIR [--designs a,b,…] [bounds]: the matrix of designs as a site. The exit
 *  status is matrix's: 1 when a verdict differs from what its design expects. */
export async function cmdReport({ values }: Parsed, io: Io, kit: CliKit): Promise<number> {
  const dir = values['out'];
  if (typeof dir !== 'string' || dir === '') throw new UserError('E_USAGE', 'report needs --out DIR (the directory to write the site into)');
  const bounds = kit.boundsFrom(values);
  const limits = kit.limitsFrom(values);
  const names = typeof values['designs'] === 'string' ? values['designs'].split(',').map((s) => s.trim()).filter(Boolean) : builtinDesigns.map((d) => d.name);
  if (names.length === 0) throw new UserError('E_USAGE', '--designs names no design');
  const designs = [];
  for (const n of names) designs.push(await loadDesign(n));
  makeDir(dir);   // before the checks, which may take long
  const json = values['json'] === true;
  const live = io.tty === true && !json;
  const reports: Report[] = [];
  for (const d of designs) {
    reports.push(runCheck(d, bounds, { ...limits, ...kit.progressLine(io, live, d.name), ...(io.interrupted ? { shouldStop: io.interrupted } : {}) }));
    kit.clearLine(io, live);
  }
  const site = await writeSite(dir, reports);
  // --json: what was written (every file with its size, the trace pages) and the verdicts, as matrix --json has them.
  io.out(json ? JSON.stringify({ dir, index: join(dir, 'index.html'), pages: site.pages, pictures: site.pictures, files: site.files, bytes: site.bytes,
    seconds: site.seconds, bounds, designs: reports.map(matrixRowJson) }, null, 2) : siteLine(site));
  return reports.some((r) => surprises(r).length > 0) ? 1 : reports.some((r) => r.stop === 'interrupted') ? 130 : 0;
}

/** check's --dot DIR and --html DIR, after the run and before the report is printed (so that an
 *  output error leaves stdout empty). Says on stderr what it wrote, except with --json. */
export async function writeCheckOutputs(report: Report, values: Values, io: Io, json: boolean): Promise<void> {
  const dot = values['dot'];
  if (typeof dot === 'string') {
    const files = writeDotFiles(dot, report);
    if (!json) io.err(files.length ? `${files.length} DOT files written to ${dot}` : `no property is violated and no witness was found: no DOT file written to ${dot}`);
  }
  const html = values['html'];
  if (typeof html === 'string') {
    const site = await writeSite(html, [report]);
    if (!json) io.err(siteLine(site));
  }
}
