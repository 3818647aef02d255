// Other kernels than this machine's as oracles (issue 14, part 1): Debian's cloud-amd64 images, fetched
// by scripts/fetch-kernels into .cache/kernels/<version>/, booted under QEMU with software emulation
// (TCG: this machine's /dev/kvm cannot run stock kernels) and an initramfs whose /init is the static
// executor (oracle/executor.c). One boot runs every trace of a script, each in a fresh network
// namespace; results come back on the second serial port, the console goes to a file of its own.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OracleUnavailable, parseExecutorOutput, scriptText, staticExecutorBinary, type KernelResult, type Script } from '../executor.js';
import { oracleInitramfs } from './initramfs.js';

const HERE = dirname(fileURLToPath(import.meta.url));
/** Where scripts/fetch-kernels puts the kernels (gitignored); INFLIGHT_KERNEL_CACHE overrides it (tests). */
/** The checkout: compiled, this module is dist/oracle/vm/vm.js, one level further down. */
const ROOT = import.meta.url.endsWith('.ts') ? resolve(HERE, '..', '..') : resolve(HERE, '..', '..', '..');
export const kernelCache = (): string => process.env['INFLIGHT_KERNEL_CACHE'] ?? resolve(ROOT, '.cache', 'kernels');

export interface VmKernel {
  readonly version: string;
  /** The Debian package scripts/fetch-kernels downloads. */
  readonly package: string;
  /** The built-in design that predicts it (600/600 of its own suite; README "Other kernels"). */
  readonly design: string;
  /** Why that design: the fixes the package's changelog.Debian lists. */
  readonly why: string;
}

/** The oracle kernels besides this machine's (keep in step with scripts/fetch-kernels). */
export const VM_KERNELS: readonly VmKernel[] = [
  {
    version: '6.1.170', package: 'linux-image-6.1.0-47-cloud-amd64-unsigned', design: 'linux-6.10',
    why: 'Debian 6.1.147-1 backported the graph GC series ("af_unix: Replace garbage collection algorithm.", "af_unix: Remove io_uring code for GC.", "af_unix: Remove lock dance in unix_peek_fds()."), 6.1.67-era "io_uring/af_unix: disable sending io_uring over sockets" (CVE-2023-6531) and "af_unix: Drop oob_skb ref before purging queue in GC."; it lacks "af_unix: Give up GC if MSG_PEEK intervened." (CVE-2026-23394, Debian 6.1.187-1)',
  },
  {
    version: '6.1.192', package: 'linux-image-6.1.0-57-cloud-amd64-unsigned', design: 'linux-6.18[soPassRights=false]',
    why: '6.1.170 plus "af_unix: Give up GC if MSG_PEEK intervened." (CVE-2026-23394, Debian 6.1.187-1): the switches of linux-6.18, but not 6.16\'s SO_PASSRIGHTS (a new feature, never backported: setsockopt answers ENOPROTOOPT)',
  },
  {
    version: '6.12.118', package: 'linux-image-6.12.118+deb12-cloud-amd64-unsigned', design: 'linux-6.18[soPassRights=false]',
    why: 'graph GC upstream since 6.10, "af_unix: Give up GC if MSG_PEEK intervened." (CVE-2026-23394, Debian 6.12.94-1), "af_unix: Drop oob_skb ref before purging queue in GC."; no SO_PASSRIGHTS (6.16)',
  },
];

export const vmKernel = (version: string): VmKernel | undefined => VM_KERNELS.find((k) => k.version === version);

/** Why a VM kernel cannot be booted here: the kernel is not fetched, or QEMU is missing. */
export type VmSkip = 'not-fetched' | 'no-qemu';
export type VmStatus = { readonly ok: true; readonly image: string } | { readonly ok: false; readonly skip: VmSkip; readonly reason: string };

let qemuChecked: string | undefined | null = null;
/** The QEMU binary, or undefined. */
export function qemuBinary(): string | undefined {
  if (qemuChecked !== null) return qemuChecked;
  const r = spawnSync('qemu-system-x86_64', ['--version'], { encoding: 'utf8' });
  qemuChecked = !r.error && r.status === 0 ? 'qemu-system-x86_64' : undefined;
  return qemuChecked;
}

/** The image to boot (the uncompressed vmlinux when fetch-kernels could extract it: PVH entry, about
 *  twice as fast as the bzImage), or why there is none. */
export function vmStatus(version: string): VmStatus {
  const dir = join(kernelCache(), version);
  const image = [join(dir, 'vmlinux'), join(dir, 'vmlinuz')].find((f) => existsSync(f));
  if (!image) return { ok: false, skip: 'not-fetched', reason: `kernel ${version} is not fetched (npm run kernels puts it in .cache/kernels/${version})` };
  if (!qemuBinary()) return { ok: false, skip: 'no-qemu', reason: 'qemu-system-x86_64 is not installed (apt-get install qemu-system-x86)' };
  return { ok: true, image };
}

export interface VmResult extends KernelResult {
  /** The guest's console (boot messages, a panic), for diagnostics. */
  readonly console: string;
}

/** Boots `version` once and runs the scripts in it, one after the other. Throws OracleUnavailable when
 *  the kernel cannot be booted here or the guest gives no complete answer. */
export async function runOnVm(version: string, scripts: readonly Script[], opts: { timeoutMs?: number } = {}): Promise<VmResult> {
  const st = vmStatus(version);
  if (!st.ok) throw new OracleUnavailable(st.reason);
  const init = readFileSync(staticExecutorBinary());
  const dir = mkdtempSync(join(tmpdir(), 'inflight-vm-'));
  try {
    const initrd = join(dir, 'initrd.cpio.gz');
    writeFileSync(initrd, oracleInitramfs(init, scriptText(scripts)));
    const results = join(dir, 'results'), con = join(dir, 'console');
    const args = [
      '-accel', 'tcg', '-m', '256M', '-nodefaults', '-no-user-config', '-display', 'none', '-no-reboot',
      '-kernel', st.image, '-initrd', initrd, '-append', 'console=ttyS0 quiet panic=-1',
      '-serial', `file:${con}`, '-serial', `file:${results}`,
    ];
    const t0 = Date.now();
    // Boot ~4 s, then ~15-40 ms a trace under TCG; a guest that hangs is killed.
    const timeout = opts.timeoutMs ?? 60_000 + scripts.length * 2_000;
    const how = await new Promise<string>((res) => {
      const p = spawn(qemuBinary()!, args, { stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      p.stderr.on('data', (d: Buffer) => { err += d.toString(); });
      const timer = setTimeout(() => p.kill('SIGKILL'), timeout);
      p.on('error', (e) => { clearTimeout(timer); res(`qemu did not run: ${e.message}`); });
      p.on('close', (code, sig) => { clearTimeout(timer); res(sig ? `qemu killed by ${sig} after ${Date.now() - t0} ms` : `qemu exit ${code}${err ? `: ${err.split('\n')[0]}` : ''}`); });
    });
    const out = existsSync(results) ? readFileSync(results, 'utf8') : '';
    const console = existsSync(con) ? readFileSync(con, 'utf8') : '';
    const panic = /Kernel panic[^\n]*/.exec(console)?.[0];
    const r = parseExecutorOutput(out, scripts, `${version} under QEMU: ${how}${panic ? `; ${panic}` : ''}`, t0);
    return { ...r, console };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
