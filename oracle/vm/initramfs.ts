// A tiny initramfs for the VM oracle, made in Node (no cpio tool needed): the "newc" cpio format the
// kernel unpacks (Documentation/driver-api/early-userspace/buffer-format.rst), gzip-compressed.
import { gzipSync } from 'node:zlib';

export interface CpioEntry {
  readonly name: string;
  /** The whole st_mode: type bits (0o040000 dir, 0o100000 file, 0o020000 char device) and permissions. */
  readonly mode: number;
  readonly data?: Buffer;
  readonly rdev?: readonly [number, number];
}

const hex8 = (n: number): string => n.toString(16).padStart(8, '0');
const pad4 = (n: number): Buffer => Buffer.alloc((4 - (n % 4)) % 4);

/** The entries as one newc archive, with its TRAILER!!! entry. */
export function cpioNewc(entries: readonly CpioEntry[]): Buffer {
  const parts: Buffer[] = [];
  const all = [...entries, { name: 'TRAILER!!!', mode: 0 }];
  all.forEach((e, i) => {
    const data = e.data ?? Buffer.alloc(0);
    const name = Buffer.from(`${e.name}\0`, 'utf8');
    // magic, ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor, rdevminor, namesize, check
    const header = '070701' + [i + 1, e.mode, 0, 0, (e.mode & 0o170000) === 0o040000 ? 2 : 1, 0, data.length, 0, 0,
      e.rdev?.[0] ?? 0, e.rdev?.[1] ?? 0, name.length, 0].map(hex8).join('');
    parts.push(Buffer.from(header, 'ascii'), name, pad4(110 + name.length), data, pad4(data.length));
  });
  return Buffer.concat(parts);
}

/** The initramfs of one VM run: /init (the static executor), /script (the traces), /dev/console. */
export function oracleInitramfs(init: Buffer, script: string): Buffer {
  return gzipSync(cpioNewc([
    { name: 'dev', mode: 0o040755 },
    { name: 'dev/console', mode: 0o020600, rdev: [5, 1] },
    { name: 'proc', mode: 0o040555 },
    { name: 'init', mode: 0o100755, data: init },
    { name: 'script', mode: 0o100644, data: Buffer.from(script, 'utf8') },
  ]), { level: 1 });
}
