// DOT → SVG in-process, with Graphviz compiled to WebAssembly (@viz-js/viz): no system graphviz.
import { instance } from '@viz-js/viz';

type Viz = Awaited<ReturnType<typeof instance>>;
let viz: Promise<Viz> | undefined;

/** The SVG document for DOT text (the dot layout engine). Throws when Graphviz rejects the input. */
export async function dotToSvg(dot: string): Promise<string> {
  viz ??= instance();
  const v = await viz;
  const r = v.render(dot, { format: 'svg', engine: 'dot' });
  if (r.status !== 'success') throw new Error(`graphviz: ${r.errors.map((e) => e.message).join('; ')}`);
  return r.output;
}
