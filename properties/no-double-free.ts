import type { PropertyDef } from './property.js';
import type { World } from '../model/world.js';

export const noDoubleFree: PropertyDef = {
  name: 'no-double-free',
  kind: 'always',
  title: 'no fput on a released file, no second ->release',
  explain:
    'fput() is never called on a struct file whose f_count already reached zero, so ->release runs at most ' +
    'once per file. In the kernel this is a use-after-free write to a freed struct file (KASAN: ' +
    'double-free or invalid-free); here the recipes record it when fput meets a released file. A ' +
    'rollback that puts back more than it took, or two owners that both think they own one reference, ' +
    'trip it.',
  make: () => ({
    name: 'no-double-free', kind: 'always', on: 'state',
    check(w: World) {
      const r = w.reports.find((x) => x.kind === 'double-fput');
      return r ? `double fput: ${r.what}` : undefined;
    },
  }),
};
