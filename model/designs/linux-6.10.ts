// 6.10: Kuniyuki Iwashima's GC rewrite — vertices and edges kept on send/recv, Tarjan's SCCs, an SCC is
// dead when every member's references are its in-flight edges; dead SCCs' queues are collected whole.
// The rewrite removed 5.14's MSG_PEEK lock dance (118f457da9ed), which brought CVE-2021-0920's race back
// (CVE-2026-23394). The MSG_OOB GC fix (aa82ac51d633, Feb 2024) is in.
import { defineDesign } from '../design.js';

export default defineDesign({
  name: 'linux-6.10',
  summary: '6.10: 6.7 + the graph GC (Tarjan SCCs), MSG_PEEK barrier removed, MSG_OOB GC fix',
  base: 'linux-6.7',
  switches: { gc: 'graph', peekGuard: 'none', oob: 'fixed' },
  // Verdicts at the default bounds: linux-6.7's.
  expected: {},
  source: 'net/unix/garbage.c of v6.10 ("af_unix: Detect Strongly Connected Components." 3484f063172d, "af_unix: Assign a unique index to SCC." bfdb01283ee8); 118f457da9ed; aa82ac51d633',
});
