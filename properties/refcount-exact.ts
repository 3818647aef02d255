import { forEachHeldFile } from '../model/holders.js';
import { fileName, type World } from '../model/world.js';
import type { PropertyDef } from './property.js';

export const refcountExact: PropertyDef = {
  name: 'refcount-exact',
  kind: 'always',
  title: 'f_count equals the number of holders that exist',
  explain:
    'For every live struct file, f_count equals the number of references that really exist: fd slots, ' +
    'SCM_RIGHTS entries of skbs on receive queues (including a ring_sock\'s registration skb), and ' +
    'registered-file slots that own their reference. f_count above that is a leaked reference (the file ' +
    'can never be released, like the nop-fixed-file-leak bug); below it, some holder will fput a reference ' +
    'it never got.',
  make: ({ design }) => {
    let counts = new Int32Array(16);
    return {
      name: 'refcount-exact', kind: 'always', on: 'state',
      check(w: World) {
        if (counts.length < w.files.length) counts = new Int32Array(w.files.length * 2);
        counts.fill(0, 0, w.files.length);
        forEachHeldFile(w, design, (file) => { counts[file]!++; });
        for (let id = 0; id < w.files.length; id++) {
          const f = w.files[id]!;
          if (f.released) continue;
          if (f.f_count !== counts[id]) return `${fileName(w, id)} has f_count ${f.f_count} but ${counts[id]} holder${counts[id] === 1 ? '' : 's'}`;
        }
        return undefined;
      },
    };
  },
};
