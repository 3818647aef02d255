// A trace as a standalone C reproducer (`inflight repro`): one process per model task, the trace's
// syscalls made for real in the trace's order, and for each step what the kernel did next to what the
// trace recorded; at the end, which of the trace's files the kernel released.
//
// Design of the generated program (after ../shared/oracle.md §4):
//  - A coordinator forks the worker of task 0; a trace's `fork` really forks the parent's worker, so the
//    child inherits the fd table. Steps run one at a time: the coordinator writes a step number on the
//    task's command pipe and waits for the reply on the reply pipe. All control pipes live at fds >= 600
//    (never unix sockets: releasing one is a GC trigger).
//  - `open` is a canary: a pipe whose write end takes exactly one fd (the model's regular file) and whose
//    read end is parked at fd >= 700; the coordinator takes its own copy with pidfd_getfd and sees EOF
//    once the write end's last reference is gone. Unix sockets are observed by inode in /proc/net/unix.
//  - Workers keep a table model fd -> kernel fd (inherited over fork), so the trace's fd numbers are
//    used as the model meant them even where the kernel hands out others; differences are reported.
//  - `unix_gc` is the coordinator's: a garbage sentinel cycle, a kick (socket(AF_UNIX) + close) and a
//    bounded wait for the sentinel to go.
import { formatStep, makeCtx } from '../model/apply.js';
import type { Design } from '../model/design.js';
import { FD_BASE } from '../model/world.js';
import { formatResult } from '../model/step.js';
import { runSteps, traceStepToStep } from './build.js';
import type { TraceFile, TraceStep } from './format.js';

export interface ReproOptions {
  /** The model's fate of each file at the end of the trace (by file id), printed next to the kernel's. */
  readonly modelReleased?: readonly boolean[];
}

/** The model's fate of each file (by id) at the end of the trace under `design`, or undefined when the
 *  design cannot make the trace's steps. */
export function modelReleased(trace: TraceFile, design: Design): boolean[] | undefined {
  const run = runSteps(trace.steps, makeCtx(design, trace.bounds));
  if (run.impossible !== undefined) return undefined;
  return run.worlds[run.worlds.length - 1]!.files.map((f) => f.released);
}

type ObjKind = 'canary' | 'unix' | 'ring';

/** A C string literal (ASCII only; anything else becomes '?'). */
function cstr(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '%') out += '%%';
    else if (ch === '\u2013' || ch === '\u2014') out += '-';
    else if (c >= 0x20 && c < 0x7f) out += ch;
    else out += '?';
  }
  return out + '"';
}
/** Text safe inside a C block comment. */
const ccomment = (s: string): string => s.replace(/[\u2013\u2014]/g, '-').replace(/\*\//g, '* /').replace(/[^\x20-\x7e\n]/g, '?');

const wrapComment = (text: string, width = 96): string[] => {
  const lines: string[] = [];
  let cur = '';
  for (const w of text.split(/\s+/).filter(Boolean)) {
    if (cur && cur.length + 1 + w.length > width) { lines.push(cur); cur = w; } else cur = cur ? `${cur} ${w}` : w;
  }
  if (cur) lines.push(cur);
  return lines;
};

export function reproC(trace: TraceFile, opts: ReproOptions = {}): string {
  const steps = trace.steps;
  const maxTask = Math.max(0, ...steps.map((s) => (s.task === 'kernel' ? 0 : s.task)), ...steps.filter((s) => s.syscall === 'fork').map((s) => s.result.ret));
  const ntasks = Math.max(trace.bounds.tasks, maxTask + 1);
  const maxFd = Math.max(FD_BASE + trace.bounds.fds, ...steps.flatMap((s) => [
    ...('fd' in s.args ? [s.args.fd] : []), ...('rights' in s.args ? s.args.rights : []), ...('files' in s.args ? s.args.files : []),
    ...(s.result.fds ?? []), s.result.ret,
  ]) .map((x) => x + 1));
  if (maxFd > 512) throw new Error(`fd ${maxFd - 1} is beyond what the reproducer maps (512)`);

  // Objects in creation order: their index is the model's file id (f0, f1, ...).
  const objects: { kind: ObjKind; step: number }[] = [];
  const blocks: string[] = [];
  const stepTable: string[] = [];
  steps.forEach((s, i) => {
    const n = i + 1;
    const text = `${s.task === 'kernel' ? 'kernel' : `T${s.task}`} ${formatStep(traceStepToStep(s))}`;
    const created: number[] = [];
    const add = (kind: ObjKind): number => { objects.push({ kind, step: n }); created.push(objects.length - 1); return objects.length - 1; };
    const ok = s.result.errno === undefined;
    if (ok && s.syscall === 'open') add('canary');
    if (ok && s.syscall === 'socketpair') { add('unix'); add('unix'); }
    if (ok && s.syscall === 'io_uring_setup') add('ring');
    const body = stepBody(s, created);
    blocks.push(`  /* step ${n}: ${ccomment(text)}\n   *   the trace recorded: ${ccomment(formatResult(s.result))} */\n  case ${n}: {\n${body.map((l) => `    ${l}`).join('\n')}\n    break;\n  }`);
    const fds = s.result.fds ?? [];
    stepTable.push(`  { ${cstr(text)}, ${s.task === 'kernel' ? -1 : s.task}, K_${s.syscall.toUpperCase()}, ${s.result.ret}, ${cstr(s.result.errno ?? '')}, ${fds.length}, { ${fds.length ? fds.join(', ') : '0'} } },`);
  });

  const header = [
    `Reproducer generated by \`inflight repro\` from an inflight-trace/1 file.`,
    ``,
    `design:    ${trace.design}`,
    `property:  ${trace.property}`,
    ...wrapComment(`violation: ${trace.violation}`).map((l, i) => (i === 0 ? l : `           ${l}`)),
    ``,
    `It makes the trace's ${steps.length} steps on the running kernel, one process per model task`,
    `(the trace's fork really forks), strictly in the trace's order, and prints what the kernel did`,
    `next to what the trace recorded, then which of the trace's files the kernel released.`,
    `Regular files are canary pipes (the write end is the file; EOF on the read end = released);`,
    `unix sockets are looked up by inode in /proc/net/unix; rings are seen only through what they hold.`,
    ``,
    `Build and run:  gcc -O2 -Wall -o repro repro.c && ./repro`,
  ];
  const objTable = objects.map((o, i) => `  { ${cstr(`f${i}`)}, O_${o.kind.toUpperCase()}, ${o.step}, ${opts.modelReleased ? (opts.modelReleased[i] ? 1 : 0) : -1}, -1, 0, 0 },`);

  return [
    `/*\n${header.map((l) => ` * ${ccomment(l)}`.trimEnd()).join('\n')}\n */`,
    C_PRELUDE,
    `#define DESIGN ${cstr(trace.design)}`,
    `#define NTASKS ${ntasks}`,
    `#define NSTEPS ${steps.length}`,
    `#define NOBJS ${objects.length}`,
    `#define MAXFD ${maxFd}`,
    ``,
    `/* What the trace recorded for each step. */`,
    `static const struct trace_step trace_steps[NSTEPS + 1] = {`,
    `  { "", 0, 0, 0, "", 0, { 0 } },`,
    ...stepTable,
    `};`,
    ``,
    `/* The trace's files, in creation order (the model's file ids f0, f1, ...), and the model's fate at the end`,
    ` * (1 released, 0 not, -1 unknown). */`,
    `static struct object objs[NOBJS + 1] = {`,
    ...objTable,
    `  { "", 0, 0, -1, -1, 0, 0 },`,
    `};`,
    ``,
    C_RUNTIME,
    `/* The trace's steps, as the worker of the step's task makes them. */`,
    `static void run_step(int n, struct reply *r) {`,
    `  switch (n) {`,
    blocks.join('\n'),
    `  }`,
    `}`,
    ``,
    C_MAIN,
  ].join('\n');
}

function stepBody(s: TraceStep, created: number[]): string[] {
  const fds = s.result.fds ?? [];
  switch (s.syscall) {
    case 'open': {
      const a = [`/* open("file", O_RDWR), observed as a canary: a pipe whose write end takes one fd. */`,
        `int fd = make_canary(r);`];
      if (created.length) a.push(`r->obj[0] = ${created[0]};`);
      a.push(`set_ret_fd(r, fd, ${s.result.ret});`);
      return a;
    }
    case 'close': {
      const { fd } = s.args as { fd: number };
      return [`int rc = close(FD(${fd}));`, `set_ret(r, rc);`, `if (rc == 0) unmap_fd(${fd});`];
    }
    case 'dup': {
      const { fd } = s.args as { fd: number };
      return [`int fd = dup(FD(${fd}));`, `set_ret_fd(r, fd, ${s.result.ret});`];
    }
    case 'fork':
      return [`/* fork(): the child is the worker of task ${s.result.ret}; it inherits this fd table. */`, `do_fork(r, ${s.result.ret});`];
    case 'exit':
      return [`/* exit(): the kernel closes every fd; the coordinator waits on the pidfd. */`, `_exit(0);`];
    case 'exec':
      return [`/* execve(): a real exec would replace this worker; the model's exec only closes the FD_CLOEXEC`,
        ` * fds (do_close_on_exec), so the worker does exactly that. */`, `close_cloexec_fds();`, `set_ret(r, 0);`];
    case 'socketpair': {
      const { type } = s.args as { type: string };
      const a = [`int sv[2];`, `int rc = socketpair(AF_UNIX, ${type === 'stream' ? 'SOCK_STREAM' : 'SOCK_DGRAM'}, 0, sv);`, `set_ret(r, rc);`,
        `if (rc == 0) {`,
        `  map_fd(${fds[0] ?? -1}, sv[0]); map_fd(${fds[1] ?? -1}, sv[1]);`,
        `  r->nfds = 2; r->fds[0] = sv[0]; r->fds[1] = sv[1];`,
        `  r->ino[0] = inode_of(sv[0]); r->ino[1] = inode_of(sv[1]);`];
      if (created.length === 2) a.push(`  r->obj[0] = ${created[0]}; r->obj[1] = ${created[1]};`);
      a.push(`}`);
      return a;
    }
    case 'sendmsg': {
      const { fd, rights } = s.args as { fd: number; rights: number[] };
      return [`/* one data byte; SCM_RIGHTS carries ${rights.length ? `the files of fds ${rights.join(', ')}` : 'nothing'} */`,
        `int rights[] = { ${rights.length ? rights.map((x) => `FD(${x})`).join(', ') : '-1'} };`,
        `set_ret(r, send_fds(FD(${fd}), rights, ${rights.length}));`];
    }
    case 'recvmsg': {
      const { fd, peek } = s.args as { fd: number; peek: boolean };
      return [`/* ${peek ? 'MSG_PEEK: the message stays queued, each carried file gets a new fd' : 'the received files are installed at the lowest free fds, in order'} */`,
        `int trace_fds[] = { ${fds.length ? fds.join(', ') : '-1'} };`,
        `recv_fds(r, FD(${fd}), ${peek ? 1 : 0}, trace_fds, ${fds.length});`];
    }
    case 'io_uring_setup':
      return [`int fd = ring_setup();`, ...(created.length ? [`r->obj[0] = ${created[0]};`] : []), `set_ret_fd(r, fd, ${s.result.ret});`];
    case 'io_uring_register': {
      const { fd, files } = s.args as { fd: number; files: number[] };
      return [`/* IORING_REGISTER_FILES: the ring takes a reference to each file */`,
        `int files[] = { ${files.length ? files.map((x) => `FD(${x})`).join(', ') : '-1'} };`,
        `set_ret(r, (int)syscall(__NR_io_uring_register, FD(${fd}), IORING_REGISTER_FILES, files, ${files.length}));`];
    }
    case 'io_uring_unregister': {
      const { fd } = s.args as { fd: number };
      return [`set_ret(r, (int)syscall(__NR_io_uring_register, FD(${fd}), IORING_UNREGISTER_FILES, NULL, 0));`];
    }
    case 'unix_gc':
      return [`/* run by the coordinator (see unix_gc_step) */`];
    default:
      return [`/* ${s.syscall}: not reproducible by this generator yet */`, `set_ret(r, -1);`];
  }
}

const C_PRELUDE = String.raw`
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

/* Raw io_uring: no liburing, and the uapi headers may be older than the kernel. */
#ifndef __NR_io_uring_setup
#define __NR_io_uring_setup 425
#endif
#ifndef __NR_io_uring_register
#define __NR_io_uring_register 427
#endif
#ifndef __NR_pidfd_open
#define __NR_pidfd_open 434
#endif
#ifndef __NR_pidfd_getfd
#define __NR_pidfd_getfd 438
#endif
#ifndef IORING_REGISTER_FILES
#define IORING_REGISTER_FILES 2
#endif
#ifndef IORING_UNREGISTER_FILES
#define IORING_UNREGISTER_FILES 3
#endif

/* Executor fds stay far above the model's: control pipes at 600.., pidfds at 650.., canary read ends at 700... */
#define CTL_BASE 600
#define PIDFD_BASE 650
#define CANARY_BASE 700
#define SCM_MAX_FD 253
/* Helpers a given trace may not need. */
#define HELPER static __attribute__((unused))

enum kind { K_OPEN, K_CLOSE, K_DUP, K_FORK, K_EXIT, K_EXEC, K_SOCKETPAIR, K_SENDMSG, K_RECVMSG,
            K_IO_URING_SETUP, K_IO_URING_REGISTER, K_IO_URING_UNREGISTER, K_UNIX_GC };
enum objkind { O_CANARY, O_UNIX, O_RING };

struct trace_step { const char *text; int task; int kind; int ret; const char *err; int nfds; int fds[8]; };
struct object {
  const char *name; int kind; int step; int model_released;
  int canary_rd;         /* coordinator's copy of a canary's read end */
  unsigned long ino;     /* a unix socket's inode */
  int released;
};
/* A worker's answer for one step (one write on a pipe: well below PIPE_BUF). */
struct reply {
  int ret, err, nfds, ctrunc;
  int fds[16];
  int obj[2];            /* objects created by the step */
  unsigned long ino[2];  /* their inodes (unix sockets) */
  int canary_rd;         /* the worker's read end of a new canary */
  int child_pid;         /* fork: the child's pid */
};
`;

const C_RUNTIME = String.raw`
static const struct { int e; const char *name; } errnames[] = {
  { EBADF, "EBADF" }, { EINVAL, "EINVAL" }, { EBUSY, "EBUSY" }, { ENXIO, "ENXIO" }, { EMFILE, "EMFILE" },
  { EAGAIN, "EAGAIN" }, { ENOTSOCK, "ENOTSOCK" }, { EOPNOTSUPP, "EOPNOTSUPP" }, { ECONNREFUSED, "ECONNREFUSED" },
  { EPIPE, "EPIPE" }, { ENFILE, "ENFILE" }, { EPERM, "EPERM" }, { ENOSYS, "ENOSYS" }, { ENOMEM, "ENOMEM" },
  { EFAULT, "EFAULT" }, { ETOOMANYREFS, "ETOOMANYREFS" }, { ESRCH, "ESRCH" }, { EACCES, "EACCES" },
};
static const char *errname(int e) {
  static char buf[16];
  for (size_t i = 0; i < sizeof errnames / sizeof errnames[0]; i++) if (errnames[i].e == e) return errnames[i].name;
  snprintf(buf, sizeof buf, "E%d", e);
  return buf;
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}
static void sleep_ms(int ms) { struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L }; nanosleep(&ts, NULL); }
static void die(const char *what) { fprintf(stderr, "repro: %s: %s\n", what, strerror(errno)); exit(2); }

/* Moves fd to the lowest free fd >= at and closes the original. */
static int move_high(int fd, int at) {
  int h = fcntl(fd, F_DUPFD, at);
  if (h < 0) die("F_DUPFD");
  close(fd);
  return h;
}

/* ---------------------------------------------------------------------------------------------- */
/* Worker side: the model's fd numbers, translated to the kernel's (inherited over fork).          */

static int fdmap[MAXFD];     /* model fd -> kernel fd, -1 = not mapped */
static int my_task = -1;

/* The kernel fd for the trace's fd m: mapped, or m itself (so a closed fd gives the kernel's EBADF). */
HELPER int FD(int m) { return (m >= 0 && m < MAXFD && fdmap[m] >= 0) ? fdmap[m] : m; }
HELPER void map_fd(int m, int k) { if (m >= 0 && m < MAXFD) fdmap[m] = k; }
HELPER void unmap_fd(int m) { if (m >= 0 && m < MAXFD) fdmap[m] = -1; }

HELPER void set_ret(struct reply *r, int rc) { r->ret = rc; r->err = rc < 0 ? errno : 0; }
/* A call that returns a new fd: the trace's fd number (if it recorded success) now names it. */
HELPER void set_ret_fd(struct reply *r, int fd, int trace_fd) {
  set_ret(r, fd);
  if (fd >= 0 && trace_fd >= 0) map_fd(trace_fd, fd);
}

HELPER unsigned long inode_of(int fd) { struct stat st; return fstat(fd, &st) == 0 ? (unsigned long)st.st_ino : 0; }

/* open(): a canary. pipe2 takes two fds; the read end moves high, and the write end moves to the
 * lowest free fd, so the "file" takes exactly one fd, the one open() would have returned. */
HELPER int make_canary(struct reply *r) {
  int p[2];
  if (pipe2(p, O_NONBLOCK) < 0) return -1;
  r->canary_rd = move_high(p[0], CANARY_BASE);
  int w = fcntl(p[1], F_DUPFD, 0);
  close(p[1]);
  return w;
}

HELPER int send_fds(int sock, const int *fds, int n) {
  char byte = 'x';
  struct iovec iov = { &byte, 1 };
  union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int) * SCM_MAX_FD)]; } u;
  struct msghdr m = { 0 };
  m.msg_iov = &iov; m.msg_iovlen = 1;
  if (n > 0) {
    memset(&u, 0, sizeof u);
    m.msg_control = u.buf; m.msg_controllen = CMSG_SPACE(sizeof(int) * n);
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET; c->cmsg_type = SCM_RIGHTS; c->cmsg_len = CMSG_LEN(sizeof(int) * n);
    memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
  }
  /* MSG_NOSIGNAL: EPIPE without a fatal SIGPIPE; MSG_DONTWAIT: EAGAIN instead of blocking. */
  return (int)sendmsg(sock, &m, MSG_DONTWAIT | MSG_NOSIGNAL);
}

/* recvmsg with room for SCM_MAX_FD fds (too small a buffer makes the kernel close the surplus). */
HELPER void recv_fds(struct reply *r, int sock, int peek, const int *trace_fds, int ntrace) {
  char byte;
  struct iovec iov = { &byte, 1 };
  union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int) * SCM_MAX_FD)]; } u;
  struct msghdr m = { 0 };
  m.msg_iov = &iov; m.msg_iovlen = 1; m.msg_control = u.buf; m.msg_controllen = sizeof u.buf;
  int rc = (int)recvmsg(sock, &m, MSG_DONTWAIT | (peek ? MSG_PEEK : 0));
  set_ret(r, rc);
  if (rc < 0) return;
  r->ctrunc = (m.msg_flags & MSG_CTRUNC) != 0;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    int n = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
    int got[SCM_MAX_FD];
    memcpy(got, CMSG_DATA(c), sizeof(int) * n);
    for (int i = 0; i < n; i++) {
      if (r->nfds < (int)(sizeof r->fds / sizeof r->fds[0])) r->fds[r->nfds] = got[i];
      if (r->nfds < ntrace) map_fd(trace_fds[r->nfds], got[i]);
      r->nfds++;
    }
  }
}

HELPER int ring_setup(void) {
  /* struct io_uring_params is 120 bytes; all zero = default flags. */
  unsigned int params[30];
  memset(params, 0, sizeof params);
  return (int)syscall(__NR_io_uring_setup, 8, params);
}

HELPER void close_cloexec_fds(void) {
  for (int fd = 3; fd < CTL_BASE; fd++) {
    int fl = fcntl(fd, F_GETFD);
    if (fl >= 0 && (fl & FD_CLOEXEC)) close(fd);
  }
}

/* Control plane: cmd[t] carries step numbers to task t's worker, reply carries answers back. */
static int cmd_rd[NTASKS], cmd_wr[NTASKS], reply_rd, reply_wr;

static void run_step(int n, struct reply *r);
static void worker_loop(int task);

HELPER void do_fork(struct reply *r, int child_task) {
  pid_t pid = fork();
  if (pid == 0) worker_loop(child_task);   /* never returns */
  set_ret(r, pid < 0 ? -1 : child_task);
  r->child_pid = pid;
}

static void worker_loop(int task) {
  my_task = task;
  for (;;) {
    int n;
    if (read(cmd_rd[task], &n, sizeof n) != sizeof n) _exit(3);
    if (n < 0) _exit(0);                   /* the run is over */
    struct reply r;
    memset(&r, 0, sizeof r);
    r.obj[0] = r.obj[1] = -1; r.canary_rd = -1; r.child_pid = -1;
    run_step(n, &r);
    if (write(reply_wr, &r, sizeof r) != sizeof r) _exit(3);
  }
}

/* ---------------------------------------------------------------------------------------------- */
/* Coordinator side: observers.                                                                    */

static int pidfd[NTASKS];
static int pidfd_next = PIDFD_BASE;

static int take_pidfd(int pid) {
  int fd = (int)syscall(__NR_pidfd_open, pid, 0);
  if (fd < 0) die("pidfd_open");
  fd = move_high(fd, pidfd_next);
  pidfd_next = fd + 1;
  return fd;
}

/* Is the inode listed in /proc/net/unix (a live unix socket)? Reading it does not trigger the GC. */
static int unix_inode_live(unsigned long ino) {
  FILE *f = fopen("/proc/net/unix", "r");
  if (!f) return -1;
  char line[512];
  int found = 0;
  if (!fgets(line, sizeof line, f)) { fclose(f); return -1; }   /* header */
  while (!found && fgets(line, sizeof line, f)) {
    unsigned long inode;
    if (sscanf(line, "%*s %*s %*s %*s %*s %*s %lu", &inode) == 1 && inode == ino) found = 1;
  }
  fclose(f);
  return found;
}

/* Canary: EOF (read returns 0) once no write end is left; EAGAIN while one is. */
static int canary_released(int rd) {
  char c;
  ssize_t n = read(rd, &c, 1);
  return n == 0;
}

static int created[NOBJS + 1];   /* has the object been made here (its step ran and succeeded)? */

/* Polls every object; prints the ones that are released now and were not before. */
static int observe(int print) {
  int changed = 0;
  for (int i = 0; i < NOBJS; i++) {
    struct object *o = &objs[i];
    if (o->released || !created[i]) continue;
    int rel = 0;
    if (o->kind == O_CANARY && o->canary_rd >= 0) rel = canary_released(o->canary_rd);
    else if (o->kind == O_UNIX && o->ino) rel = unix_inode_live(o->ino) == 0;
    if (rel) {
      if (print && !changed) printf("        released now:");
      if (print) printf(" %s", o->name);
      o->released = 1;
      changed = 1;
    }
  }
  if (print && changed) printf("\n");
  return changed;
}

/* Waits until nothing changes for quiet_ms, at most max_ms. Asynchronous releases need this: ring
 * teardown runs in a workqueue about 20-80 ms after the ring's last close, and a file whose last
 * reference goes from a kernel worker is put by delayed_fput one jiffy later. */
static void settle(int quiet_ms, int max_ms) {
  double start = now_ms(), last = start;
  while (now_ms() - start < max_ms) {
    if (observe(0)) last = now_ms();
    if (now_ms() - last >= quiet_ms) break;
    sleep_ms(2);
  }
}

/* unix_gc: the kernel runs the unix GC only when something triggers it; on 6.18 the trigger is the
 * final release of any AF_UNIX socket while any unix socket is in flight, and the GC itself then runs
 * in a workqueue (no user API runs it or waits for it). So: build a sentinel cycle (two sockets, each in
 * the other's queue, no fd left) that only a GC run can release, kick the GC with socket(AF_UNIX) +
 * close, and poll until the sentinel is gone (it goes in the same run as the trace's garbage), at most
 * 300 ms, then a short quiet window for the delayed_fput of what the GC purged. */
static void unix_gc_step(void) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) < 0) die("sentinel socketpair");
  unsigned long ia = inode_of(sv[0]), ib = inode_of(sv[1]);
  if (send_fds(sv[0], &sv[0], 1) < 0 || send_fds(sv[1], &sv[1], 1) < 0) die("sentinel sendmsg");
  close(sv[0]); close(sv[1]);                 /* in flight: not a release, not a trigger */
  double t0 = now_ms();
  int kick = socket(AF_UNIX, SOCK_DGRAM, 0);  /* the kick: its release runs unix_gc() */
  if (kick >= 0) close(kick);
  int done = 0;
  while (now_ms() - t0 < 300) {
    observe(0);
    if (unix_inode_live(ia) == 0 && unix_inode_live(ib) == 0) { done = 1; break; }
    sleep_ms(2);
  }
  double ms = now_ms() - t0;
  settle(30, 100);
  if (done) printf("        kicked the GC: it ran within %.1f ms\n", ms);
  else printf("        kicked the GC: no run seen within 300 ms\n");
}
`;

const C_MAIN = String.raw`
static void print_result(int ret, int err, int nfds, const int *fds) {
  if (ret < 0) { printf("-1 %s", errname(err)); return; }
  printf("%d", ret);
  if (nfds > 0) {
    printf(" [fds");
    for (int i = 0; i < nfds; i++) printf("%s %d", i ? "," : "", fds[i]);
    printf("]");
  }
}

int main(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  signal(SIGPIPE, SIG_IGN);
  signal(SIGCHLD, SIG_IGN);                  /* workers are reaped by the kernel; exits are seen on pidfds */
  for (int i = 0; i < MAXFD; i++) fdmap[i] = -1;
  for (int i = 0; i < NOBJS; i++) objs[i].canary_rd = -1;

  struct utsname u;
  uname(&u);
  int probe = ring_setup();
  int ring_ok = probe >= 0, probe_err = errno;
  if (probe >= 0) close(probe);
  printf("kernel %s %s; io_uring %s\n", u.sysname, u.release, ring_ok ? "usable" : errname(probe_err));
  if (!ring_ok) printf("(io_uring is not usable here: its steps will fail with %s)\n", errname(probe_err));
  printf("trace: %d steps of design %s\n\n", NSTEPS, DESIGN);

  int ctl = CTL_BASE;
  for (int t = 0; t < NTASKS; t++) {
    int p[2];
    if (pipe(p) < 0) die("pipe");
    cmd_rd[t] = move_high(p[0], ctl); cmd_wr[t] = move_high(p[1], ctl);
    ctl = cmd_wr[t] + 1;
    pidfd[t] = -1;
  }
  int p[2];
  if (pipe(p) < 0) die("pipe");
  reply_rd = move_high(p[0], ctl); reply_wr = move_high(p[1], ctl);

  pid_t w0 = fork();
  if (w0 < 0) die("fork");
  if (w0 == 0) worker_loop(0);
  pidfd[0] = take_pidfd(w0);
  int pids[NTASKS];
  for (int t = 0; t < NTASKS; t++) pids[t] = -1;
  pids[0] = w0;

  int differ = 0;
  for (int n = 1; n <= NSTEPS; n++) {
    const struct trace_step *s = &trace_steps[n];
    struct reply r;
    memset(&r, 0, sizeof r);
    r.obj[0] = r.obj[1] = -1; r.canary_rd = -1;
    if (s->kind == K_UNIX_GC) {
      r.ret = 0;
    } else if (pids[s->task] < 0) {
      printf("step %d %s: no process for task %d (the trace's own steps never made it)\n", n, s->text, s->task);
      differ = 1;
      continue;
    } else {
      if (write(cmd_wr[s->task], &n, sizeof n) != sizeof n) die("write cmd");
      if (s->kind == K_EXIT) {
        /* The worker exits without answering; its files are closed before its pidfd turns readable. */
        struct pollfd pf = { pidfd[s->task], POLLIN, 0 };
        if (poll(&pf, 1, 2000) != 1) printf("        (task %d did not exit within 2 s)\n", s->task);
        close(pidfd[s->task]); pidfd[s->task] = -1; pids[s->task] = -1;
        r.ret = 0;
      } else if (read(reply_rd, &r, sizeof r) != sizeof r) die("read reply");
    }

    /* One line per step: what the kernel did, what the trace recorded, and whether they agree. */
    printf("step %d %s: kernel ", n, s->text);
    if (s->kind == K_FORK && r.ret >= 0) printf("%d (task %d, pid %d)", r.ret, r.ret, r.child_pid);
    else print_result(r.ret, r.err, r.nfds, r.fds);
    printf("; trace ");
    if (s->err[0]) printf("-1 %s", s->err); else print_result(s->ret, 0, s->nfds, s->fds);
    int returns_fd = s->kind == K_OPEN || s->kind == K_DUP || s->kind == K_IO_URING_SETUP;
    int agree, renumbered = 0;
    if (s->err[0]) agree = r.ret < 0 && strcmp(errname(r.err), s->err) == 0;
    else if (r.ret < 0) agree = 0;
    else if (returns_fd) { agree = 1; renumbered = r.ret != s->ret; }
    else {
      agree = r.ret == s->ret && r.nfds == s->nfds;
      for (int i = 0; i < s->nfds && i < r.nfds; i++) if (r.fds[i] != s->fds[i]) renumbered = 1;
    }
    printf("; %s\n", !agree ? "DIFFERS" : renumbered ? "same, other fd numbers" : "same");
    if (!agree) differ = 1;
    if (renumbered) {
      printf("        fd numbers: the trace's");
      if (returns_fd) printf(" %d is %d here", s->ret, r.ret);
      else for (int i = 0; i < s->nfds && i < r.nfds; i++) printf(" %d is %d here;", s->fds[i], r.fds[i]);
      printf(" (later steps use the kernel's)\n");
    }
    if (r.ctrunc) printf("        MSG_CTRUNC: the kernel dropped fds that did not fit\n");

    /* Learn about new objects and processes. */
    if (s->kind == K_FORK && r.ret >= 0 && r.ret < NTASKS) { pids[r.ret] = r.child_pid; pidfd[r.ret] = take_pidfd(r.child_pid); }
    for (int i = 0; i < 2; i++) {
      int o = r.obj[i];
      if (o < 0 || o >= NOBJS || (r.ret < 0)) continue;
      created[o] = 1;
      if (objs[o].kind == O_UNIX) objs[o].ino = r.ino[i];
    }
    if (r.canary_rd >= 0 && r.obj[0] >= 0 && r.ret >= 0) {
      /* The coordinator takes its own copy of the canary's read end (the worker's may go with it). */
      int fd = (int)syscall(__NR_pidfd_getfd, pidfd[s->task], r.canary_rd, 0);
      if (fd < 0) die("pidfd_getfd");
      objs[r.obj[0]].canary_rd = move_high(fd, CANARY_BASE);
    }
    if (s->kind == K_UNIX_GC) unix_gc_step();
    observe(1);
  }

  /* The end: let asynchronous releases (ring teardown, delayed_fput) finish, at most 500 ms. */
  settle(100, 500);
  printf("\nfiles at the end (kernel; model):\n");
  for (int i = 0; i < NOBJS; i++) {
    struct object *o = &objs[i];
    const char *what = o->kind == O_CANARY ? "regular file (canary pipe)" : o->kind == O_UNIX ? "unix socket" : "io_uring ring";
    const char *kstate = !created[i] ? "never made here"
      : o->kind == O_RING ? "not observable (seen through the files it holds)"
      : o->released ? "released" : "live";
    const char *mstate = o->model_released < 0 ? "?" : o->model_released ? "released" : "live";
    printf("  %s  %-27s made at step %d: %s; model: %s\n", o->name, what, o->step, kstate, mstate);
  }
  printf("\n%s\n", differ ? "the kernel's results DIFFER from the trace's" : "the kernel's results agree with the trace's");

  /* Stop the workers that are still alive. */
  for (int t = 0; t < NTASKS; t++) if (pids[t] > 0) { int stop = -1; if (write(cmd_wr[t], &stop, sizeof stop) < 0) {} }
  return 0;
}
`;
