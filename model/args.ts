// The arguments of each syscall as traces and scenarios write them: one schema per syscall, from which the
// parser (traces' steps and programs, scenarios' program lines) and the TypeScript type `ArgsOf` come. An
// argument a call does not take is refused, as is a missing or mistyped one, each with a one-line reason.
import * as v from 'valibot';
import type { SyscallName } from './bounds.js';
import { int, strictObj } from './schema-kit.js';

const fd = (name: string) => int(`argument '${name}' must be an integer`);
const fdList = (name: string) => v.array(int(`argument '${name}' must be a list of integers`), `argument '${name}' must be a list of integers`);
const flag = (name: string) => v.optional(v.boolean(`argument '${name}' must be true or false`), false);
const sockType = v.picklist(['dgram', 'stream'], "argument 'type' must be 'dgram' or 'stream'");
const args = <const E extends v.ObjectEntries>(entries: E, what: string) =>
  v.pipe(strictObj(entries, '"args" must be an object', (k) => `unexpected argument '${k}'`), v.description(what));
const none = (what: string) => args({}, what);

export const ARG_SCHEMAS = {
  open: none('open("/dev/null"): no arguments'),
  close: args({ fd: fd('fd') }, 'close(fd)'),
  dup: args({ fd: fd('fd') }, 'dup(fd)'),
  fork: none('fork(): no arguments'),
  exit: none('exit(): no arguments'),
  exec: none('execve(): no arguments (the fds marked close-on-exec are closed)'),
  socketpair: args({ type: sockType }, 'socketpair(AF_UNIX, type)'),
  socket: args({ type: sockType }, 'socket(AF_UNIX, type, 0)'),
  listen: args({ fd: fd('fd') }, 'bind (autobind to an abstract address) + listen(fd, backlog)'),
  connect: args({ fd: fd('fd'), to: fd('to') }, 'connect(fd, address of the listening socket behind `to`, an fd of the same task)'),
  accept: args({ fd: fd('fd') }, 'accept(fd)'),
  // MSG_OOB only when true: a trace that says oob false reads as one that says nothing.
  sendmsg: v.pipe(args({ fd: fd('fd'), rights: fdList('rights'), oob: v.exactOptional(v.boolean("argument 'oob' must be true or false")) },
    'sendmsg(fd, one byte with SCM_RIGHTS carrying `rights`[, MSG_OOB])'),
  v.transform((a): { fd: number; rights: number[]; oob?: boolean } => (a.oob ? { fd: a.fd, rights: a.rights, oob: true } : { fd: a.fd, rights: a.rights }))),
  recvmsg: args({ fd: fd('fd'), peek: flag('peek') }, 'recvmsg(fd[, MSG_PEEK])'),
  io_uring_setup: none('io_uring_setup(): no arguments'),
  io_uring_register: args({ fd: fd('fd'), files: fdList('files') }, 'io_uring_register(fd, IORING_REGISTER_FILES, files, n)'),
  io_uring_update: args({ fd: fd('fd'), offset: fd('offset'), files: fdList('files') }, 'io_uring_register(fd, IORING_REGISTER_FILES_UPDATE, {offset, files}); -1 clears a slot'),
  io_uring_unregister: args({ fd: fd('fd') }, 'io_uring_register(fd, IORING_UNREGISTER_FILES)'),
  io_uring_enter: args({ fd: fd('fd'), op: v.picklist(['read', 'recv'], "argument 'op' must be read or recv"), fixed: flag('fixed'), target: fd('target') },
    'io_uring_enter(fd, to_submit 1): one SQE `op` on a fixed slot (IOSQE_FIXED_FILE) or a plain fd'),
  resume: args({ call: v.string("arguments 'call' and 'stage' must be strings"), stage: v.string("arguments 'call' and 'stage' must be strings") },
    "the next sub-step of the task's syscall in progress; `call` and `stage` say which (checked against the world on replay)"),
  // Traces of format 1 wrote unix_gc {}: a whole run.
  unix_gc: args({ phase: v.optional(v.string("argument 'phase' must be a string"), 'run') },
    'one step of the unix GC: start, select, scan (2007) / walk, dead (graph), purge; run is a whole run in one step (bounds gc atomic)'),
  io_wq: args({ ring: fd('ring'), req: fd('req'), stage: v.picklist(['block', 'pick', 'complete'], "argument 'stage' must be block, pick or complete") },
    'an io-wq worker advances request `req` of the ring file `ring`'),
  io_ring_exit: args({ ring: fd('ring') }, 'io_ring_exit_work: the teardown of a released ring once no request runs'),
  setsockopt: args({ fd: fd('fd'), val: v.picklist([0, 1], "argument 'val' must be 0 or 1") },
    'setsockopt(fd, SOL_SOCKET, SO_PASSRIGHTS, &val, sizeof(int)), val 0 or 1'),
} as const satisfies { readonly [N in SyscallName]: v.GenericSchema };

/** Arguments of each syscall, as they appear in traces. fds are the task's fd numbers. */
export type ArgsOf = { [N in SyscallName]: v.InferOutput<(typeof ARG_SCHEMAS)[N]> };
