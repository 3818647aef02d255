// inflight's real-kernel executor (issue 4). Built by oracle/executor.ts with the system gcc
// (gcc -O2 -static); never committed as a binary. Design: ../shared/oracle.md §4.
//
// One coordinator (this process) reads a script on stdin: one or more traces, one step a line, and
// writes JSON lines on stdout. Per trace it forks worker 0 (model task 0); a model `fork` forks the
// worker itself, so the child really inherits its fd table; `exec` really execs this binary again
// (static, so the loader opens no fd), which closes the FD_CLOEXEC fds. The control plane is pipes
// at fds >= 600, inherited by every worker and never closed (never unix sockets: releasing one is a
// GC trigger). Each worker runs with RLIMIT_NOFILE = 3 + the model's fd bound, so a full table
// gives EMFILE / MSG_CTRUNC exactly where the model's bounded table does.
//
// Script (model fd numbers; the coordinator maps them to the kernel's, per task). Every number is a
// whole decimal int in its range (fds: 3 .. 3+FDS, the trace's table and the one past it; tasks: 0 .. MAXT-1; objects:
// 0 .. MAXOBJ-1), every word one of the op's; anything else is refused with a "fatal" line (and the
// executor stops) before a syscall is made: a script cannot make a worker touch the executor's own fds
// (599 and up), and no text of the script is ever printed back. Output: JSON lines whose strings are
// escaped (json_str).
//   trace INDEX TASKS FDS
//   T open -> FD            T close FD              T dup FD -> FD        T fork -> CHILD
//   T exit                  T exec                  T socketpair dgram|stream -> FD FD
//   T sendmsg FD R... [oob] T recvmsg FD peek|nopeek -> FD...
//   T socket dgram|stream -> FD                      T listen FD
//   T connect FD TO         T accept FD @OBJ -> FD   T resume connect
//   T io_uring_setup -> FD  T io_uring_register FD F...              T io_uring_unregister FD
//   T io_uring_enter FD read|recv|poll fixed|plain TARGET     (a slot, or an fd)
//   T setsockopt FD on|off  (SOL_SOCKET, SO_PASSRIGHTS, 1|0: 6.16+; older kernels answer ENOPROTOOPT)
//   kernel unix_gc          kernel io_wq            kernel io_ring_exit   (the last two: no-ops)
//   end OBJ=l|r|g ...       (the model's fates: live, released, garbage)
// Any step may end with `! OBJ...` (objects the model releases at this step: wait for them, up to
// 500 ms) and `~ MS` (then wait MS more: async teardown the observers cannot see).
//
// Objects are numbered in creation order, like the model's FileIds: a regular file is a canary
// pipe (the worker holds it reopened O_RDWR, fetched with pidfd_getfd from the coordinator, which keeps
// the read end at fd >= 700: EOF = released); a unix socket is observed by its inode in
// /proc/net/unix; an io_uring ring is observed only while it has registrations, by a private
// teardown canary appended to its IORING_REGISTER_FILES list (else "unobserved").
//
// Listening sockets. The model has no addresses: `listen FD` is bind(FD, {AF_UNIX}, sizeof(sa_family_t))
// (autobind to an abstract name) + listen(FD, SOMAXCONN) for a stream socket, and a plain listen() for
// any other fd (a dgram socket then stays unbound: EOPNOTSUPP, as the model has it); `connect FD TO`
// connects FD to getsockname(TO), or to an abstract name nobody has when TO has no name (ECONNREFUSED).
// connect is one syscall here; the model's later sub-steps (`resume connect`) are no-ops that return 0.
// A successful connect creates an object, the embryo: a sock with no inode until it is accepted, so it is
// "unobserved" until `accept FD @OBJ` names it and gives it the accepted socket's inode. accept is made
// non-blocking by setting O_NONBLOCK on the listener's file around the call (the model's calls do not
// block). `sendmsg … oob` adds MSG_OOB.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#ifndef __NR_io_uring_setup
#define __NR_io_uring_setup 425
#endif
#ifndef __NR_io_uring_enter
#define __NR_io_uring_enter 426
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
#define IORING_REGISTER_FILES_ 2
#define IORING_UNREGISTER_FILES_ 3
#define IORING_REGISTER_FILES_UPDATE_ 6
// struct io_uring_files_update (include/uapi/linux/io_uring.h, 5.5+).
struct files_update { uint32_t offset, resv; uint64_t fds; };

#define COORD_PIDFD 599
#define CTL_BASE 600
#define MAXT 8
#define XFER_FD 650
#define CANARY_BASE 700
#define MAXOBJ 512
#define MAXFD 600
#define SCM_MAX 253
#define MAX_UPDATE_OFFSET 1024
// How long a predicted release is waited for (6.1 puts an update's removed files HZ = 1 s later), and
// the flush of an update's puts (the old teardown canary's release).
#define AWAIT_MS 1500
#define FLUSH_MS 3000

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

// s as a JSON string: quotes, backslashes and control bytes escaped (the kernel's release string and
// strerror texts are not ours to trust).
static void json_str(const char *s) {
  putchar('"');
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\') printf("\\%c", *p);
    else if (*p < 0x20 || *p == 0x7f) printf("\\u%04x", *p);
    else putchar(*p);
  }
  putchar('"');
}

static pid_t coordinator;
static int step_open;   // a step's JSON object is open on stdout (a fatal closes it first)
static void kill_workers(void);

// A fatal line, then exit. In the coordinator its workers go too (they would wait on their pipes forever).
static void fatal(const char *what, const char *detail) {
  if (getpid() == coordinator) kill_workers();
  if (step_open) { printf("}\n"); step_open = 0; }
  char msg[512];
  snprintf(msg, sizeof msg, "%s%s%s", what, detail[0] ? ": " : "", detail);
  printf("{\"fatal\":");
  json_str(msg);
  printf("}\n");
  fflush(stdout);
  exit(3);
}

static void die(const char *what) { fatal(what, strerror(errno)); }

// A whole decimal int token in [lo, hi] (no 1e21, no 0x10, no trailing bytes); 0 when it is one.
static int parse_int(const char *tok, long lo, long hi, int *out) {
  const char *p = tok;
  if (*p == '-') p++;
  if (*p == 0 || strlen(p) > 10) return -1;
  for (const char *q = p; *q; q++) if (*q < '0' || *q > '9') return -1;
  long v = strtol(tok, NULL, 10);
  if (v < lo || v > hi) return -1;
  *out = (int)v;
  return 0;
}

static const char *ename(int e) {
  const char *n = strerrorname_np(e);
  return n ? n : "E?";
}

// ---------------------------------------------------------------- control plane

static int cmd_rd(int t) { return CTL_BASE + 4 * t; }
static int cmd_wr(int t) { return CTL_BASE + 4 * t + 1; }
static int rep_rd(int t) { return CTL_BASE + 4 * t + 2; }
static int rep_wr(int t) { return CTL_BASE + 4 * t + 3; }

static void write_line(int fd, const char *s) {
  size_t n = strlen(s);
  while (n > 0) {
    ssize_t w = write(fd, s, n);
    if (w < 0) { if (errno == EINTR) continue; die("write control pipe"); }
    s += w; n -= (size_t)w;
  }
}

// Reads one line (commands and replies are written whole, < PIPE_BUF, one at a time).
static int read_line(int fd, char *buf, size_t cap, int timeout_ms) {
  size_t n = 0;
  for (;;) {
    if (timeout_ms >= 0) {
      struct pollfd p = { .fd = fd, .events = POLLIN };
      int r = poll(&p, 1, timeout_ms);
      if (r == 0) return -1;
    }
    ssize_t r = read(fd, buf + n, cap - 1 - n);
    if (r < 0) { if (errno == EINTR) continue; return -1; }
    if (r == 0) return -1;
    n += (size_t)r;
    if (buf[n - 1] == '\n' || n >= cap - 1) { buf[n] = 0; return (int)n; }
  }
}

// ---------------------------------------------------------------- worker

static int worker_slot;
static int upd_off, upd_slot;   // io_uring_update's offset and canary slot (words oN, sN)
static const char *enter_op = "";   // io_uring_enter's words: its op, and fixed (a slot) or plain (an fd)
static int enter_fixed;

static void reply(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#include <stdarg.h>
static void reply(const char *fmt, ...) {
  char buf[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf - 2, fmt, ap);
  va_end(ap);
  strcat(buf, "\n");
  write_line(rep_wr(worker_slot), buf);
}

static unsigned long ino_of(int fd) {
  struct stat st;
  return fstat(fd, &st) == 0 ? (unsigned long)st.st_ino : 0;
}

// setsockopt(FD, SOL_SOCKET, SO_PASSRIGHTS, &val, sizeof(int)). SO_PASSRIGHTS is 83 (asm-generic, x86:
// 77cbe1a6d873, 6.16); the 6.1 uapi headers here lack it.
#define SO_PASSRIGHTS_ 83
static void do_setsockopt(int fd, const char *word) {
  int val = word && !strcmp(word, "on");
  int r = setsockopt(fd, SOL_SOCKET, SO_PASSRIGHTS_, &val, sizeof val);
  reply("%d %d", r, r < 0 ? errno : 0);
}

// ---------------------------------------------------------------- io_uring_enter (worker side)
// io_uring_enter RING OP fixed|plain TARGET: one SQE submitted with io_uring_enter(RING, 1, 0, 0), its CQE
// looked for before the call returns. OP is the SQE the model's request maps to (oracle/compare.ts):
//   read  IORING_OP_READ of 1 byte (a canary pipe opened O_RDWR: nothing to read, the request stays
//         pending, its poll armed, holding a plain fd's file until the ring's release cancels it);
//   recv  IORING_OP_RECV of 1 byte (unix_stream_read_generic stops after an skb that carried fds, and a
//         1-byte read consumes one skb, the model's unit): inline when the queue has data or at EOF, else
//         pending until data comes; no control buffer, so carried fds are put (scm_destroy);
//   poll  IORING_OP_POLL_ADD for EPOLLPRI on a ring fd (the model's read on a ring: a request that holds
//         the ring and does not complete by itself; io_uring_poll never reports EPOLLPRI, so it waits
//         until a ring teardown or the task's cancel, and another ring's CQEs do not complete it).
// TARGET: a registered slot with IOSQE_FIXED_FILE (fixed), else an fd of the task (plain). The rings'
// mmaps live for this call only (a mapping pins the ring file, and the model has none). Every ring here is
// made by io_uring_setup(8, zeroed params), so one layout (a probe ring's) serves every ring fd, also
// those received in a message or inherited over fork or exec. The CQ is reaped (its head moved past
// every CQE) so that no CQE waits in it. Reply: RET ERRNO POSTED RES (POSTED: this SQE's CQE came
// before the call returned, with RES).
#define IORING_OP_POLL_ADD_ 6
#define IORING_OP_READ_ 22
#define IORING_OP_RECV_ 27
#define IOSQE_FIXED_FILE_ 1
#define IORING_OFF_SQ_RING_ 0ULL
#define IORING_OFF_CQ_RING_ 0x8000000ULL
#define IORING_OFF_SQES_ 0x10000000ULL
struct ring_layout {
  uint32_t sq_entries, cq_entries, flags, sq_thread_cpu, sq_thread_idle, features, wq_fd, resv[3];
  struct { uint32_t head, tail, ring_mask, ring_entries, flags, dropped, array, resv1; uint64_t user_addr; } sq_off;
  struct { uint32_t head, tail, ring_mask, ring_entries, overflow, cqes, flags, resv1; uint64_t user_addr; } cq_off;
};
struct ring_sqe_ {
  uint8_t opcode, flags; uint16_t ioprio; int32_t fd; uint64_t off, addr; uint32_t len, op_flags;
  uint64_t user_data; uint16_t buf_index, personality; int32_t splice_fd_in; uint64_t addr3, pad2;
};
struct ring_cqe_ { uint64_t user_data; int32_t res; uint32_t flags; };
static struct ring_layout enter_layout;
static int enter_layout_known;
static char enter_bufs[64][8];   // a pending request's buffer stays its own
static unsigned enter_seq;

// The layout of a ring made as io_uring_setup makes them here: a probe ring, set up with the soft fd
// limit raised (the table may be full) and closed at once.
static int enter_probe(void) {
  if (enter_layout_known) return 1;
  struct rlimit rl, hi;
  getrlimit(RLIMIT_NOFILE, &rl);
  hi = rl; hi.rlim_cur = hi.rlim_max;
  setrlimit(RLIMIT_NOFILE, &hi);
  struct ring_layout p;
  memset(&p, 0, sizeof p);
  int fd = (int)syscall(__NR_io_uring_setup, 8, &p);
  setrlimit(RLIMIT_NOFILE, &rl);
  if (fd < 0) return 0;
  close(fd);
  enter_layout = p;
  enter_layout_known = 1;
  return 1;
}

static void worker_ring_enter(int ring, const char *op, int fixed, int target) {
  const struct ring_layout *p = enter_probe() ? &enter_layout : NULL;
  size_t sq_len = 0, sqes_len = 0, cq_len = 0;
  void *sq = MAP_FAILED, *sqes = MAP_FAILED, *cq = MAP_FAILED;
  if (p) {
    sq_len = p->sq_off.array + p->sq_entries * sizeof(uint32_t);
    sqes_len = p->sq_entries * sizeof(struct ring_sqe_);
    cq_len = p->cq_off.cqes + p->cq_entries * sizeof(struct ring_cqe_);
    sq = mmap(NULL, sq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_SQ_RING_);
    sqes = mmap(NULL, sqes_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_SQES_);
    cq = mmap(NULL, cq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring, IORING_OFF_CQ_RING_);
  }
  int mapped = sq != MAP_FAILED && sqes != MAP_FAILED && cq != MAP_FAILED;
  uint64_t tag = 0x1f000000ULL + ++enter_seq;
  if (mapped) {
    uint32_t *tail = (uint32_t *)((char *)sq + p->sq_off.tail);
    uint32_t mask = *(uint32_t *)((char *)sq + p->sq_off.ring_mask);
    uint32_t t = *tail, idx = t & mask;   // this process is the ring's only submitter while it runs
    struct ring_sqe_ *e = (struct ring_sqe_ *)sqes + idx;
    memset(e, 0, sizeof *e);
    e->opcode = !strcmp(op, "poll") ? IORING_OP_POLL_ADD_ : !strcmp(op, "recv") ? IORING_OP_RECV_ : IORING_OP_READ_;
    e->flags = fixed ? IOSQE_FIXED_FILE_ : 0;
    e->fd = target;
    if (e->opcode == IORING_OP_POLL_ADD_) e->op_flags = POLLPRI;   // poll32_events
    else { e->addr = (uint64_t)(uintptr_t)enter_bufs[enter_seq % 64]; e->len = 1; }
    e->user_data = tag;
    ((uint32_t *)((char *)sq + p->sq_off.array))[idx] = idx;
    __atomic_store_n(tail, t + 1, __ATOMIC_RELEASE);
  }
  // Not mapped (not a ring, a closed fd): the call is made all the same; its error is the kernel's.
  int r = (int)syscall(__NR_io_uring_enter, ring, 1, 0, 0, NULL, 0);
  int e = errno, posted = 0, res = 0;
  if (mapped) {
    uint32_t *head = (uint32_t *)((char *)cq + p->cq_off.head);
    uint32_t ctail = __atomic_load_n((uint32_t *)((char *)cq + p->cq_off.tail), __ATOMIC_ACQUIRE);
    uint32_t cmask = *(uint32_t *)((char *)cq + p->cq_off.ring_mask);
    struct ring_cqe_ *cqes = (struct ring_cqe_ *)((char *)cq + p->cq_off.cqes);
    for (uint32_t h = *head; h != ctail; h++) if (cqes[h & cmask].user_data == tag) { posted = 1; res = cqes[h & cmask].res; }
    __atomic_store_n(head, ctail, __ATOMIC_RELEASE);
  }
  if (sq != MAP_FAILED) munmap(sq, sq_len);
  if (sqes != MAP_FAILED) munmap(sqes, sqes_len);
  if (cq != MAP_FAILED) munmap(cq, cq_len);
  reply("%d %d %d %d", r, r < 0 ? e : 0, posted, res);
}

static void worker_loop(void) {
  char line[4096];
  for (;;) {
    if (read_line(cmd_rd(worker_slot), line, sizeof line, -1) < 0) _exit(0);
    char *save = NULL;
    char *op = strtok_r(line, " \n", &save);
    if (!op) continue;
    long a[SCM_MAX + 8];
    int na = 0;
    char *tok;
    char *word = NULL;
    upd_off = -1; upd_slot = -1; enter_op = ""; enter_fixed = 0;
    while ((tok = strtok_r(NULL, " \n", &save)) != NULL) {
      if ((tok[0] >= '0' && tok[0] <= '9') || tok[0] == '-') { if (na < SCM_MAX + 8) a[na++] = strtol(tok, NULL, 10); }
      else if (tok[0] == 'o' && tok[1] >= '0' && tok[1] <= '9') upd_off = atoi(tok + 1);
      else if (tok[0] == 's' && tok[1] >= '0' && tok[1] <= '9') upd_slot = atoi(tok + 1);
      else if (!strcmp(tok, "fixed") || !strcmp(tok, "plain")) enter_fixed = tok[0] == 'f';
      else { if (!word) enter_op = tok; word = tok; }
    }
    // The worker's own fds (the control plane, the coordinator's pidfd: 599 and up) are not the trace's:
    // only open (the coordinator's transfer fd) and fork (a task number) take other numbers.
    if (strcmp(op, "open") && strcmp(op, "fork")) {
      int own = 0;
      for (int i = 0; i < na; i++) if (a[i] < -1 || a[i] >= COORD_PIDFD) own = 1;
      if (own) { reply("refused"); continue; }
    }
    errno = 0;
    if (!strcmp(op, "open")) {
      int fd = (int)syscall(__NR_pidfd_getfd, COORD_PIDFD, (int)a[0], 0);
      int e = errno;
      if (fd >= 0) fcntl(fd, F_SETFD, 0);   // pidfd_getfd sets FD_CLOEXEC; open(2) does not
      reply("%d %d", fd, fd < 0 ? e : 0);
    } else if (!strcmp(op, "close")) {
      int r = close((int)a[0]);
      reply("%d %d", r, r < 0 ? errno : 0);
    } else if (!strcmp(op, "dup")) {
      int r = dup((int)a[0]);
      reply("%d %d", r, r < 0 ? errno : 0);
    } else if (!strcmp(op, "fork")) {
      int child = (int)a[0];
      pid_t p = fork();
      if (p == 0) { worker_slot = child; continue; }
      reply("%d %d", (int)p, p < 0 ? errno : 0);
    } else if (!strcmp(op, "exit")) {
      _exit(0);
    } else if (!strcmp(op, "exec")) {
      char slot[16];
      snprintf(slot, sizeof slot, "%d", worker_slot);
      char *argv[] = { "inflight-executor", "--worker", slot, "exec", NULL };
      execv("/proc/self/exe", argv);
      reply("-1 %d", errno);
    } else if (!strcmp(op, "socketpair")) {
      int sv[2];
      int type = word && !strcmp(word, "stream") ? SOCK_STREAM : SOCK_DGRAM;
      int r = socketpair(AF_UNIX, type, 0, sv);
      if (r < 0) reply("-1 %d", errno);
      else reply("0 0 %d %d %lu %lu", sv[0], sv[1], ino_of(sv[0]), ino_of(sv[1]));
    } else if (!strcmp(op, "sendmsg")) {
      char data = 'x';
      struct iovec iov = { .iov_base = &data, .iov_len = 1 };
      struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
      int n = na - 1;
      union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int) * (SCM_MAX + 4))]; } u;
      if (n > 0) {
        memset(&u, 0, sizeof u);
        msg.msg_control = u.buf;
        msg.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)n);
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)n);
        int *fds = (int *)CMSG_DATA(c);
        for (int i = 0; i < n; i++) fds[i] = (int)a[i + 1];
      }
      int oob = word && !strcmp(word, "oob");
      ssize_t r = sendmsg((int)a[0], &msg, MSG_DONTWAIT | MSG_NOSIGNAL | (oob ? MSG_OOB : 0));
      reply("%d %d", (int)r, r < 0 ? errno : 0);
    } else if (!strcmp(op, "recvmsg")) {
      char data[16];
      struct iovec iov = { .iov_base = data, .iov_len = 1 };
      union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int) * SCM_MAX)]; } u;
      struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf };
      int flags = MSG_DONTWAIT | (word && !strcmp(word, "peek") ? MSG_PEEK : 0);
      ssize_t r = recvmsg((int)a[0], &msg, flags);
      if (r < 0) { reply("%d %d", (int)r, errno); continue; }
      char out[2048];
      int off = snprintf(out, sizeof out, "%d 0 %d", (int)r, (msg.msg_flags & MSG_CTRUNC) ? 1 : 0);
      for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
        int n = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
        int *fds = (int *)CMSG_DATA(c);
        for (int i = 0; i < n && off < (int)sizeof out - 16; i++) off += snprintf(out + off, sizeof out - (size_t)off, " %d", fds[i]);
      }
      reply("%s", out);
    } else if (!strcmp(op, "socket")) {
      int type = word && !strcmp(word, "stream") ? SOCK_STREAM : SOCK_DGRAM;
      int r = socket(AF_UNIX, type, 0);
      if (r < 0) reply("-1 %d", errno);
      else reply("%d 0 %lu", r, ino_of(r));
    } else if (!strcmp(op, "listen")) {
      int type = 0;
      socklen_t tl = sizeof type;
      int r = 0;
      if (getsockopt((int)a[0], SOL_SOCKET, SO_TYPE, &type, &tl) == 0 && type == SOCK_STREAM) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        r = bind((int)a[0], (struct sockaddr *)&sa, sizeof(sa_family_t));
      }
      if (r == 0) r = listen((int)a[0], SOMAXCONN);
      reply("%d %d", r, r < 0 ? errno : 0);
    } else if (!strcmp(op, "connect")) {
      struct sockaddr_un sa;
      socklen_t len = sizeof sa;
      memset(&sa, 0, sizeof sa);
      if (na < 2 || getsockname((int)a[1], (struct sockaddr *)&sa, &len) < 0 || len <= sizeof(sa_family_t)) {
        memset(&sa, 0, sizeof sa);
        sa.sun_family = AF_UNIX;
        int n = snprintf(sa.sun_path + 1, sizeof sa.sun_path - 1, "inflight-nobody-%d", (int)getpid());
        len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n);
      }
      int r = connect((int)a[0], (struct sockaddr *)&sa, len);
      reply("%d %d", r, r < 0 ? errno : 0);
    } else if (!strcmp(op, "accept")) {
      int fl = fcntl((int)a[0], F_GETFL);
      if (fl >= 0) fcntl((int)a[0], F_SETFL, fl | O_NONBLOCK);
      int r = accept4((int)a[0], NULL, NULL, 0);
      int e = errno;
      if (fl >= 0) fcntl((int)a[0], F_SETFL, fl);
      if (r < 0) reply("-1 %d", e);
      else reply("%d 0 %lu", r, ino_of(r));
    } else if (!strcmp(op, "io_uring_setup")) {
      uint32_t params[30];
      memset(params, 0, sizeof params);
      int r = (int)syscall(__NR_io_uring_setup, 8, params);
      reply("%d %d", r, r < 0 ? errno : 0);
    } else if (!strcmp(op, "io_uring_register")) {
      // word "tc": a private teardown canary (the coordinator's XFER_FD) goes last in the table, so
      // that the coordinator sees when the ring drops its registrations. It is fetched with the
      // soft fd limit raised and parked at XFER_FD, outside the model's fd range.
      int files[SCM_MAX + 8];
      int n = na - 1, tc = -1;
      for (int i = 1; i < na; i++) files[i - 1] = (int)a[i];
      if (word && !strcmp(word, "tc") && n > 0) {
        struct rlimit rl, hi;
        getrlimit(RLIMIT_NOFILE, &rl);
        hi = rl; hi.rlim_cur = hi.rlim_max;
        setrlimit(RLIMIT_NOFILE, &hi);
        int low = (int)syscall(__NR_pidfd_getfd, COORD_PIDFD, XFER_FD, 0);
        if (low >= 0) { tc = fcntl(low, F_DUPFD_CLOEXEC, XFER_FD); close(low); }
        setrlimit(RLIMIT_NOFILE, &rl);
        if (tc >= 0) files[n++] = tc;
      }
      int r = (int)syscall(__NR_io_uring_register, (int)a[0], IORING_REGISTER_FILES_, files, n);
      int e = errno;
      if (tc >= 0) close(tc);
      reply("%d %d", r, r < 0 ? e : 0);
    } else if (!strcmp(op, "io_uring_enter")) {
      // io_uring_enter RING OP fixed|plain TARGET (the words: OP, then fixed or plain).
      worker_ring_enter((int)a[0], enter_op, enter_fixed, (int)a[1]);
    } else if (!strcmp(op, "io_uring_unregister")) {
      int r = (int)syscall(__NR_io_uring_register, (int)a[0], IORING_UNREGISTER_FILES_, NULL, 0);
      reply("%d %d", r, r < 0 ? errno : 0);
    } else if (!strcmp(op, "io_uring_update")) {
      // io_uring_update FD oOFFSET E... [sSLOT]: IORING_REGISTER_FILES_UPDATE at OFFSET with the entries
      // (-1 clears a slot). With sSLOT, afterwards the ring's teardown canary (in SLOT, past the model's
      // table) is swapped for a new one (the coordinator's XFER_FD): the old one's release says that the
      // puts the update queued have run (6.1 defers them by HZ: io_rsrc_node_ref_zero's
      // mod_delayed_work(system_wq, &ctx->rsrc_put_work, HZ)). The reply's third number: 1 when swapped.
      int files[SCM_MAX + 8];
      int n = 0, off = upd_off, slot = upd_slot;
      for (int i = 1; i < na; i++) files[n++] = (int)a[i];
      struct files_update up = { .offset = (uint32_t)off, .fds = (uint64_t)(uintptr_t)files };
      int r = (int)syscall(__NR_io_uring_register, (int)a[0], IORING_REGISTER_FILES_UPDATE_, &up, n);
      int e = errno, swapped = 0;
      if (slot >= 0) {
        struct rlimit rl, hi;
        getrlimit(RLIMIT_NOFILE, &rl);
        hi = rl; hi.rlim_cur = hi.rlim_max;
        setrlimit(RLIMIT_NOFILE, &hi);
        int low = (int)syscall(__NR_pidfd_getfd, COORD_PIDFD, XFER_FD, 0), tc = -1;
        if (low >= 0) { tc = fcntl(low, F_DUPFD_CLOEXEC, XFER_FD); close(low); }
        setrlimit(RLIMIT_NOFILE, &rl);
        if (tc >= 0) {
          struct files_update u2 = { .offset = (uint32_t)slot, .fds = (uint64_t)(uintptr_t)&tc };
          swapped = syscall(__NR_io_uring_register, (int)a[0], IORING_REGISTER_FILES_UPDATE_, &u2, 1) == 1;
          close(tc);
        }
      }
      reply("%d %d %d", r, r < 0 ? e : 0, swapped);
    } else if (!strcmp(op, "setsockopt")) {
      do_setsockopt((int)a[0], word);
    } else {
      reply("-1 %d", EINVAL);
    }
  }
}

static void worker_start(int slot, int nfds, int after_exec) {
  worker_slot = slot;
  signal(SIGCHLD, SIG_IGN);
  signal(SIGPIPE, SIG_IGN);
  if (!after_exec) {
    // Nothing of the coordinator's but stdio and the control plane.
    syscall(SYS_close_range, 3, COORD_PIDFD - 1, 0);
    syscall(SYS_close_range, XFER_FD, ~0U, 0);
    int dn = open("/dev/null", O_RDWR);
    dup2(dn, 0); dup2(dn, 1);
    if (dn > 2) close(dn);
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = (rlim_t)(3 + nfds);
    setrlimit(RLIMIT_NOFILE, &rl);
  } else {
    reply("0 0");
  }
  worker_loop();
}

// ---------------------------------------------------------------- coordinator

enum kind { K_REGULAR, K_UNIX, K_RING };
static const char *kind_name[] = { "regular", "unix", "io_uring" };

struct obj {
  enum kind kind;
  int canary;            // read end (regular; for a ring: its teardown canary, or -1)
  unsigned long ino;     // unix
  int released;
  int reported;          // released already listed in a step's "rel"
  int nslots;            // a ring: the model's table size (its teardown canary is in slot nslots)
};

static struct obj objs[MAXOBJ];
static int nobj;
static int ring_ok;
// /init of a QEMU guest (oracle/vm): each trace in a fresh network namespace, nothing else on the
// machine, results on the second serial port, power-off at the end.
static int vm_mode;
static int ntasks, nfds;
static pid_t wpid[MAXT];
static int wpidfd[MAXT];
static int walive[MAXT];
static int fdmap[MAXT][MAXFD];

#define MAXINO 4096
static unsigned long inos[MAXINO];
static int ninos;

static void read_proc_net_unix(void) {
  ninos = 0;
  FILE *f = fopen("/proc/net/unix", "re");
  if (!f) return;
  char line[512];
  if (!fgets(line, sizeof line, f)) { fclose(f); return; }
  while (fgets(line, sizeof line, f) && ninos < MAXINO) {
    unsigned long ino = 0;
    // Num RefCount Protocol Flags Type St Inode [Path]
    if (sscanf(line, "%*s %*s %*s %*s %*s %*s %lu", &ino) == 1) inos[ninos++] = ino;
  }
  fclose(f);
}

static int ino_present(unsigned long ino) {
  for (int i = 0; i < ninos; i++) if (inos[i] == ino) return 1;
  return 0;
}

static int canary_released(int rd) {
  char c;
  ssize_t r = read(rd, &c, 1);
  return r == 0;
}

// Refreshes every object's state; returns how many changed.
static int observe(void) {
  int changed = 0, need_unix = 0;
  for (int i = 0; i < nobj; i++) if (objs[i].kind == K_UNIX && !objs[i].released) need_unix = 1;
  if (need_unix) read_proc_net_unix();
  for (int i = 0; i < nobj; i++) {
    struct obj *o = &objs[i];
    if (o->released) continue;
    if (o->kind == K_REGULAR && canary_released(o->canary)) { o->released = 1; changed++; }
    if (o->kind == K_UNIX && o->ino != 0 && !ino_present(o->ino)) { o->released = 1; changed++; }
    // A ring with registrations: its teardown canary's EOF is the ring's release (teardown).
    if (o->kind == K_RING && o->canary >= 0 && canary_released(o->canary)) { o->released = 1; changed++; }
  }
  return changed;
}

static void sleep_ms(double ms) {
  struct timespec ts = { .tv_sec = (time_t)(ms / 1000), .tv_nsec = (long)((ms - (long)(ms / 1000) * 1000) * 1e6) };
  nanosleep(&ts, NULL);
}

// Waits until every object in `want` is released (up to timeout_ms); returns the time waited.
static double await_released(const int *want, int nwant, double timeout_ms) {
  double t0 = now_ms();
  for (;;) {
    observe();
    int pending = 0;
    for (int i = 0; i < nwant; i++) {
      if (want[i] < 0 || want[i] >= nobj) continue;
      struct obj *o = &objs[want[i]];
      if (o->kind == K_RING) { if (o->canary >= 0 && !canary_released(o->canary)) pending++; }
      else if (o->kind == K_UNIX && o->ino == 0) continue;   // an embryo: not observable
      else if (!o->released) pending++;
    }
    if (pending == 0 || now_ms() - t0 >= timeout_ms) break;
    sleep_ms(2);
  }
  return now_ms() - t0;
}

// Waits until nothing changed for quiet_ms (at most max_ms).
static void settle(double quiet_ms, double max_ms) {
  double t0 = now_ms(), last = t0;
  for (;;) {
    if (observe()) last = now_ms();
    double t = now_ms();
    if (t - last >= quiet_ms || t - t0 >= max_ms) break;
    sleep_ms(2);
  }
}

// The GC step: arm a sentinel (a dgram socket carrying itself and a private canary), and release
// its peer, which triggers unix_gc; done when the sentinel is gone, then a quiet window.
static double do_gc(int *completed, double quiet_ms) {
  double t0 = now_ms();
  int sv[2], cp[2];
  *completed = 0;
  if (socketpair(AF_UNIX, SOCK_DGRAM, 0, sv) < 0 || pipe2(cp, O_NONBLOCK) < 0) return 0;
  unsigned long sino = ino_of(sv[1]);
  char data = 'g';
  struct iovec iov = { .iov_base = &data, .iov_len = 1 };
  union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int) * 2)]; } u;
  memset(&u, 0, sizeof u);
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.buf, .msg_controllen = sizeof u.buf };
  struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET; c->cmsg_type = SCM_RIGHTS; c->cmsg_len = CMSG_LEN(sizeof(int) * 2);
  ((int *)CMSG_DATA(c))[0] = sv[1];
  ((int *)CMSG_DATA(c))[1] = cp[1];
  sendmsg(sv[0], &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
  close(cp[1]);
  close(sv[1]);
  close(sv[0]);   // the kick: a unix socket's release while something is in flight
  for (;;) {
    int gone = canary_released(cp[0]);
    if (gone) { read_proc_net_unix(); if (!ino_present(sino)) { *completed = 1; break; } }
    if (now_ms() - t0 > 1000) break;
    sleep_ms(1);
  }
  close(cp[0]);
  if (quiet_ms > 0) settle(quiet_ms, 300);
  return now_ms() - t0;
}

// The kernel fd for task t's model fd m (checked: 3 <= m <= 3 + nfds). A kernel fd outside the task's
// table (the executor's own are 599 and up) is never handed on.
static int translate(int t, int m) {
  int k = fdmap[t][m] >= 0 ? fdmap[t][m] : m;
  if (k < 0 || k > 3 + nfds) fatal("a model fd maps to a kernel fd outside the trace's table", "");
  return k;
}

static void bind_fd(int t, int m, int real) {
  if (t >= 0 && t < MAXT && m >= 0 && m < MAXFD) fdmap[t][m] = real;
}

static int wait_exit(int t, int timeout_ms) {
  if (wpidfd[t] < 0) return 0;
  struct pollfd p = { .fd = wpidfd[t], .events = POLLIN };
  int r = poll(&p, 1, timeout_ms);
  close(wpidfd[t]);
  wpidfd[t] = -1;
  walive[t] = 0;
  return r > 0;
}

static void kill_workers(void) {
  for (int t = 0; t < MAXT; t++) if (walive[t]) { kill(wpid[t], SIGKILL); walive[t] = 0; }
}

static void start_worker(int t, pid_t pid) {
  wpid[t] = pid;
  wpidfd[t] = (int)syscall(__NR_pidfd_open, pid, 0);
  walive[t] = 1;
}

static int ask(int t, const char *cmd, char *rep, size_t cap) {
  write_line(cmd_wr(t), cmd);
  if (read_line(rep_rd(t), rep, cap, 5000) < 0) return -1;
  return 0;
}

static void trace_begin(void) {
  nobj = 0;
  // A fresh netns per trace in the VM: the previous trace's leftovers stay out of /proc/net/unix (per
  // netns: the reader's) and out of this trace's sockets. Natively the GC trigger crosses netns anyway.
  if (vm_mode && unshare(CLONE_NEWNET) < 0) die("unshare(CLONE_NEWNET)");
  for (int t = 0; t < MAXT; t++) { walive[t] = 0; wpidfd[t] = -1; for (int i = 0; i < MAXFD; i++) fdmap[t][i] = -1; }
  fflush(stdout);
  pid_t p = fork();
  if (p < 0) die("fork worker 0");
  if (p == 0) worker_start(0, nfds, 0);
  start_worker(0, p);
}

static void trace_cleanup(void) {
  double t0 = now_ms();
  for (int t = 0; t < MAXT; t++) {
    if (!walive[t]) continue;
    kill(wpid[t], SIGKILL);
    wait_exit(t, 5000);
  }
  // Drain what the trace left: ring teardown, then (if anything is still around) a GC.
  // Rings first: their teardown canaries say when the registrations are dropped.
  int all[MAXOBJ], rings[MAXOBJ], nrings = 0;
  for (int i = 0; i < nobj; i++) { all[i] = i; if (objs[i].kind == K_RING && objs[i].canary >= 0) rings[nrings++] = i; }
  if (nrings) await_released(rings, nrings, AWAIT_MS);
  observe();
  int left = 0;
  for (int i = 0; i < nobj; i++) if (!objs[i].released && (objs[i].kind == K_REGULAR || (objs[i].kind == K_UNIX && objs[i].ino != 0) || (objs[i].kind == K_RING && objs[i].canary >= 0 && !canary_released(objs[i].canary)))) left++;
  int gc_runs = 0;
  if (left) {
    int completed;
    do_gc(&completed, 0);
    gc_runs++;
    await_released(all, nobj, AWAIT_MS);
  }
  printf("{\"cleanup\":true,\"gc\":%d,\"leftover\":[", gc_runs);
  int first = 1;
  for (int i = 0; i < nobj; i++) {
    if (objs[i].kind != K_RING && !objs[i].released && !(objs[i].kind == K_UNIX && objs[i].ino == 0)) { printf("%s%d", first ? "" : ",", i); first = 0; }
    if (objs[i].canary >= 0) close(objs[i].canary);
  }
  printf("],\"ms\":%.3f}\n", now_ms() - t0);
  fflush(stdout);
  nobj = 0;
}

static void print_rel(void) {
  printf(",\"rel\":[");
  int first = 1;
  for (int i = 0; i < nobj; i++) {
    if (objs[i].released && !objs[i].reported) { printf("%s%d", first ? "" : ",", i); first = 0; objs[i].reported = 1; }
  }
  printf("]");
}

static void add_obj(enum kind k, int canary, unsigned long ino) {
  if (nobj >= MAXOBJ) return;
  objs[nobj] = (struct obj){ .kind = k, .canary = canary, .ino = ino };
  nobj++;
}

// The ops of a step line: how many fd arguments (at least, at most), the words it may carry, whether
// it names an object (@OBJ).
struct op_spec { const char *op; int min_fds, max_fds; const char *words[3]; int obj; };
static const struct op_spec ops[] = {
  { "open", 0, 0, { 0 }, 0 }, { "close", 1, 1, { 0 }, 0 }, { "dup", 1, 1, { 0 }, 0 }, { "fork", 0, 0, { 0 }, 0 },
  { "exit", 0, 0, { 0 }, 0 }, { "exec", 0, 0, { 0 }, 0 }, { "socketpair", 0, 0, { "dgram", "stream" }, 0 },
  { "sendmsg", 1, SCM_MAX + 1, { "oob" }, 0 }, { "recvmsg", 1, 1, { "peek", "nopeek" }, 0 },
  { "socket", 0, 0, { "dgram", "stream" }, 0 }, { "listen", 1, 1, { 0 }, 0 }, { "connect", 2, 2, { 0 }, 0 },
  { "accept", 1, 1, { 0 }, 1 }, { "resume", 0, 0, { "connect", "recvmsg" }, 0 },
  { "io_uring_setup", 0, 0, { 0 }, 0 }, { "io_uring_register", 1, SCM_MAX + 1, { 0 }, 1 }, { "io_uring_unregister", 1, 1, { 0 }, 1 },
  { "setsockopt", 1, 1, { "on", "off" }, 0 },
};

// The model's regular file, at XFER_FD for the worker to take: the canary pipe reopened O_RDWR through
// /proc/self/fd (blocking), so that it is readable like the model's O_RDWR file and an io_uring read on it
// has nothing to read and stays pending (a write end would fail the read with EBADF at once). It is a
// writer, so the canary's read end still sees EOF when it is gone. Without /proc: the write end itself.
static void canary_file(int wr) {
  char path[64];
  snprintf(path, sizeof path, "/proc/self/fd/%d", wr);
  int f = open(path, O_RDWR | O_CLOEXEC);
  dup2(f >= 0 ? f : wr, XFER_FD);
  if (f >= 0) close(f);
}

// ---------------------------------------------------------------- io_uring_enter (coordinator side)
// `kernel io_wq` and `kernel io_ring_exit`: the kernel's own work (a request run by io-wq or its poll, a
// ring's teardown), which the kernel schedules itself: nothing to make; the step waits for what the
// model releases there (`! OBJ...`) and reports what went.
static int kernel_io_step(const char *op) { return !strcmp(op, "io_wq") || !strcmp(op, "io_ring_exit"); }

// T io_uring_enter FD read|recv|poll fixed|plain TARGET: FD an fd of the table; TARGET a slot (fixed,
// 0..598: never reaches the worker's own-fd check as an fd) or an fd of the table (plain).
static void check_ring_enter(const char *where, char **toks, int nargs, int npred) {
  int v;
  if (nargs != 4 || npred != 0) fatal(where, "io_uring_enter needs FD OP fixed|plain TARGET");
  if (parse_int(toks[2], 3, 3 + nfds, &v)) fatal(where, "io_uring_enter needs a ring fd of the trace's table");
  if (strcmp(toks[3], "read") && strcmp(toks[3], "recv") && strcmp(toks[3], "poll")) fatal(where, "io_uring_enter's op is read, recv or poll");
  int fixed = !strcmp(toks[4], "fixed");
  if (!fixed && strcmp(toks[4], "plain")) fatal(where, "io_uring_enter's target is fixed or plain");
  if (fixed ? parse_int(toks[5], 0, COORD_PIDFD - 1, &v) : parse_int(toks[5], 3, 3 + nfds, &v)) fatal(where, "io_uring_enter's target is not a slot or an fd of the trace's table");
}

// The worker's command for io_uring_enter: the fds translated, a fixed slot as it is.
static void ring_enter_cmd(int t, char **toks, char *cmd, size_t cap) {
  int fixed = !strcmp(toks[4], "fixed");
  snprintf(cmd, cap, "io_uring_enter %d %d %s %s\n", translate(t, atoi(toks[2])), fixed ? atoi(toks[5]) : translate(t, atoi(toks[5])), toks[3], toks[4]);
}

// Prints the kernel's result of io_uring_enter (reply RET ERRNO POSTED RES): the model's result is the
// call's, or the CQE's error when the kernel failed the SQE at once (the model has no CQ).
static void ring_enter_result(const char *rep) {
  long v[4] = { -1, 0, 0, 0 };
  int nv = sscanf(rep, "%ld %ld %ld %ld", &v[0], &v[1], &v[2], &v[3]);
  if (nv < 2) { printf(",\"error\":\"a malformed reply\""); return; }
  int err = v[0] < 0 ? (int)v[1] : nv == 4 && v[2] && v[3] < 0 ? (int)-v[3] : 0;
  printf(",\"ret\":%ld", err ? -1L : v[0]);
  if (err) { printf(",\"errno\":"); json_str(ename(err)); }
  printf(",\"enter_ret\":%ld", v[0]);
  if (nv == 4 && v[2]) printf(",\"cqe\":%ld", v[3]);
}

// Refuses (fatal) a step line that is not exactly what the script format allows, before anything runs.
static void check_step(int idx, char **toks, int nargs, const int *pred, int npred, const int *await, int nawait) {
  char where[32];
  snprintf(where, sizeof where, "step %d", idx + 1);
  (void)await; (void)nawait;
  if (!strcmp(toks[0], "kernel")) {
    if (nargs != 0 || npred != 0 || (strcmp(toks[1], "unix_gc") && !kernel_io_step(toks[1]))) fatal(where, "a kernel step is a bare unix_gc, io_wq or io_ring_exit");
    return;
  }
  int t;
  if (parse_int(toks[0], 0, MAXT - 1, &t) || t >= ntasks) fatal(where, "not a task of the trace");
  if (!strcmp(toks[1], "io_uring_enter")) { check_ring_enter(where, toks, nargs, npred); return; }
  if (!strcmp(toks[1], "io_uring_update")) {
    // T io_uring_update FD oOFFSET E... @RING [flush]: E an fd of the table or -1 (clear the slot).
    int v, ne = 0, nobjs = 0, nflush = 0;
    if (nargs < 3 || parse_int(toks[2], 3, 3 + nfds, &v)) fatal(where, "io_uring_update needs a ring fd of the trace's table");
    if (toks[3][0] != 'o' || parse_int(toks[3] + 1, 0, MAX_UPDATE_OFFSET, &v)) fatal(where, "io_uring_update needs an offset oN");
    for (int i = 4; i < 2 + nargs; i++) {
      const char *a = toks[i];
      if (a[0] == '@') { if (parse_int(a + 1, 0, MAXOBJ - 1, &v)) fatal(where, "not an object number"); nobjs++; }
      else if (!strcmp(a, "flush")) nflush++;
      else if (!strcmp(a, "-1") || !parse_int(a, 3, 3 + nfds, &v)) ne++;
      else fatal(where, "an update entry is neither -1 nor an fd of the trace's table");
    }
    if (ne < 1 || ne > SCM_MAX || nobjs > 1 || nflush > 1 || npred != 0) fatal(where, "the wrong number of arguments");
    return;
  }
  const struct op_spec *sp = NULL;
  for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) if (!strcmp(ops[i].op, toks[1])) sp = &ops[i];
  if (!sp) fatal(where, "an unknown call");
  int nfd = 0, nword = 0, nobjs = 0;
  for (int i = 2; i < 2 + nargs; i++) {
    const char *a = toks[i];
    int v;
    if (a[0] == '@') {
      if (!sp->obj || parse_int(a + 1, 0, MAXOBJ - 1, &v)) fatal(where, "not an object number, or the call names none");
      nobjs++;
    } else if ((a[0] >= '0' && a[0] <= '9') || a[0] == '-') {
      // An fd of the trace's table or the one just past it (EBADF: the worker's RLIMIT_NOFILE is the
      // table): never one of the executor's own (599 and up), never 1e21 read as 1, never stdio.
      if (parse_int(a, 3, 3 + nfds, &v)) fatal(where, "an fd outside the trace's fd table");
      nfd++;
    } else {
      int ok = 0;
      for (int w = 0; w < 3 && sp->words[w]; w++) if (!strcmp(sp->words[w], a)) ok = 1;
      if (!ok) fatal(where, "a word the call does not take");
      nword++;
    }
  }
  if (nfd < sp->min_fds || nfd > sp->max_fds || nword > 1 || nobjs > 1) fatal(where, "the wrong number of arguments");
  if (!strcmp(toks[1], "fork") && (npred != 1 || pred[0] >= MAXT || pred[0] >= ntasks)) fatal(where, "fork names no task of the trace");
  if (strcmp(toks[1], "fork")) for (int i = 0; i < npred; i++) if (pred[i] >= 3 + nfds) fatal(where, "a predicted fd outside the trace's fd table");
}

// One step of the script. Prints one JSON line.
static void step(int idx, char *line) {
  char *toks[SCM_MAX + 32];
  int n = 0;
  char *save = NULL;
  for (char *tk = strtok_r(line, " \n", &save); tk; tk = strtok_r(NULL, " \n", &save)) {
    if (n == SCM_MAX + 32) fatal("too many words on a step line", "");
    toks[n++] = tk;
  }
  if (n < 2) fatal("a step line names no task and call", "");
  // Split off "-> predicted fds", "! awaited objects", "~ ms".
  int pred[SCM_MAX], npred = 0, await[MAXOBJ], nawait = 0, mode = 0;
  double extra = 0;
  int nargs = 0;
  for (int i = 2; i < n; i++) {
    if (!strcmp(toks[i], "->")) { mode = 1; continue; }
    if (!strcmp(toks[i], "!")) { mode = 2; continue; }
    if (!strcmp(toks[i], "~")) { mode = 3; continue; }
    if (mode == 0) toks[2 + nargs++] = toks[i];
    else if (mode == 1 && npred < SCM_MAX) { if (parse_int(toks[i], 0, MAXFD - 1, &pred[npred++])) fatal("a predicted fd is not an fd number", ""); }
    else if (mode == 2 && nawait < MAXOBJ) { if (parse_int(toks[i], 0, MAXOBJ - 1, &await[nawait++])) fatal("an awaited object is not an object number", ""); }
    else if (mode == 3) { int ms; if (parse_int(toks[i], 0, 10000, &ms)) fatal("a wait is not a number of ms", ""); extra = ms; }
    else fatal("too many numbers on a step line", "");
  }
  const char *op = toks[1];
  check_step(idx, toks, nargs, pred, npred, await, nawait);
  printf("{\"i\":%d", idx);
  step_open = 1;
  double t0 = now_ms();
  if (!strcmp(toks[0], "kernel") && kernel_io_step(op)) {
    printf(",\"ret\":0");
  } else if (!strcmp(toks[0], "kernel")) {
    int completed = 0;
    double ms = do_gc(&completed, vm_mode ? 40 : 20);
    printf(",\"ret\":0,\"gc_completed\":%s,\"gc_ms\":%.3f", completed ? "true" : "false", ms);
  } else {
    int t = atoi(toks[0]);
    int ring_op = !strncmp(op, "io_uring", 8);
    if (ring_op && !ring_ok) {
      printf(",\"unsupported\":true}\n");
      step_open = 0;
      fflush(stdout);
      return;
    }
    if (t < 0 || t >= MAXT || !walive[t]) {
      printf(",\"error\":\"task %d is not running\"}\n", t);
      step_open = 0;
      fflush(stdout);
      return;
    }
    if (!strcmp(op, "resume") && nargs > 0 && !strcmp(toks[2], "connect")) {
      // connect ran whole at its first sub-step.
      printf(",\"ret\":0");
      goto observed;
    }
    char cmd[4096], rep[4096];
    if (!strcmp(op, "io_uring_enter")) {
      ring_enter_cmd(t, toks, cmd, sizeof cmd);
      if (ask(t, cmd, rep, sizeof rep) < 0) printf(",\"error\":\"no reply from task %d\"", t);
      else if (!strncmp(rep, "refused", 7)) fatal("a worker was asked to touch one of the executor's own fds", "");
      else ring_enter_result(rep);
      goto observed;
    }
    int off = snprintf(cmd, sizeof cmd, "%s", op);
    int rd = -1;
    int tc_rd = -1, ring_obj = -1;
    int flush = 0;
    if (!strcmp(op, "io_uring_update")) for (int i = 2; i < 2 + nargs; i++) if (!strcmp(toks[i], "flush")) flush = 1;
    if (!strcmp(op, "io_uring_unregister") || !strcmp(op, "accept") || !strcmp(op, "io_uring_update"))
      for (int i = 2; i < 2 + nargs; i++) if (toks[i][0] == '@') ring_obj = atoi(toks[i] + 1);
    int nmodel_files = 0;
    if (!strcmp(op, "io_uring_register")) for (int i = 3; i < 2 + nargs; i++) if (toks[i][0] != '@') nmodel_files++;
    if (!strcmp(op, "io_uring_register") && nargs >= 2) {
      // The ring object behind the fd: found through the model's fd map is not possible here, so
      // the script names it: "io_uring_register FD F... @OBJ".
      for (int i = 2; i < 2 + nargs; i++) if (toks[i][0] == '@') ring_obj = atoi(toks[i] + 1);
      int p[2];
      if (pipe2(p, O_NONBLOCK) < 0) die("pipe2");
      tc_rd = fcntl(p[0], F_DUPFD_CLOEXEC, CANARY_BASE);
      dup2(p[1], XFER_FD);
      close(p[0]); close(p[1]);
    }
    int swap_slot = -1;
    if (flush && ring_obj >= 0 && ring_obj < nobj && objs[ring_obj].kind == K_RING && objs[ring_obj].canary >= 0) {
      // A new teardown canary for the ring's canary slot: the old one's release is the flush.
      int p[2];
      if (pipe2(p, O_NONBLOCK) < 0) die("pipe2");
      tc_rd = fcntl(p[0], F_DUPFD_CLOEXEC, CANARY_BASE);
      dup2(p[1], XFER_FD);
      close(p[0]); close(p[1]);
      swap_slot = objs[ring_obj].nslots;
    }
    if (!strcmp(op, "io_uring_update")) {
      for (int i = 2; i < 2 + nargs; i++) {
        const char *a = toks[i];
        if (a[0] == '@' || !strcmp(a, "flush")) continue;
        if (a[0] == 'o' || !strcmp(a, "-1")) off += snprintf(cmd + off, sizeof cmd - (size_t)off, " %s", a);
        else off += snprintf(cmd + off, sizeof cmd - (size_t)off, " %d", translate(t, atoi(a)));
      }
      if (swap_slot >= 0) off += snprintf(cmd + off, sizeof cmd - (size_t)off, " s%d", swap_slot);
    } else if (!strcmp(op, "open")) {
      int p[2];
      if (pipe2(p, O_NONBLOCK) < 0) die("pipe2");
      rd = fcntl(p[0], F_DUPFD_CLOEXEC, CANARY_BASE);
      canary_file(p[1]);
      close(p[0]); close(p[1]);
      off += snprintf(cmd + off, sizeof cmd - (size_t)off, " %d", XFER_FD);
    } else if (!strcmp(op, "fork")) {
      off += snprintf(cmd + off, sizeof cmd - (size_t)off, " %d", npred > 0 ? pred[0] : -1);
    } else {
      for (int i = 2; i < 2 + nargs; i++) {
        const char *a = toks[i];
        if (a[0] == '@') continue;
        if ((a[0] >= '0' && a[0] <= '9') || a[0] == '-') off += snprintf(cmd + off, sizeof cmd - (size_t)off, " %d", translate(t, atoi(a)));
        else off += snprintf(cmd + off, sizeof cmd - (size_t)off, " %s", a);
      }
      if (tc_rd >= 0) off += snprintf(cmd + off, sizeof cmd - (size_t)off, " tc");
    }
    strcat(cmd, "\n");
    if (!strcmp(op, "exit")) {
      write_line(cmd_wr(t), cmd);
      int ok = wait_exit(t, 5000);
      for (int i = 0; i < MAXFD; i++) fdmap[t][i] = -1;
      printf(",\"ret\":%d", ok ? 0 : -1);
    } else if (ask(t, cmd, rep, sizeof rep) < 0) {
      printf(",\"error\":\"no reply from task %d\"", t);
    } else if (!strncmp(rep, "refused", 7)) {
      fatal("a worker was asked to touch one of the executor's own fds", "");
    } else {
      long v[SCM_MAX + 8];
      int nv = 0;
      char *s2 = NULL;
      for (char *tk = strtok_r(rep, " \n", &s2); tk && nv < SCM_MAX + 8; tk = strtok_r(NULL, " \n", &s2)) v[nv++] = strtol(tk, NULL, 10);
      long ret = nv > 0 ? v[0] : -1;
      int e = nv > 1 ? (int)v[1] : 0;
      int real[SCM_MAX], nreal = 0;
      if (ret >= 0) {
        if (!strcmp(op, "open") || !strcmp(op, "dup") || !strcmp(op, "io_uring_setup") || !strcmp(op, "socket") || !strcmp(op, "accept")) real[nreal++] = (int)ret;
        else if (!strcmp(op, "socketpair") && nv >= 6) { real[nreal++] = (int)v[2]; real[nreal++] = (int)v[3]; }
        else if (!strcmp(op, "recvmsg")) { for (int i = 3; i < nv && nreal < SCM_MAX; i++) real[nreal++] = (int)v[i]; }
      }
      printf(",\"ret\":%ld", !strcmp(op, "fork") && ret > 0 ? (long)(npred > 0 ? pred[0] : 0) : ret);
      if (ret < 0) { printf(",\"errno\":"); json_str(ename(e)); }
      if (nreal > 0) {
        printf(",\"fds\":[");
        for (int i = 0; i < nreal; i++) printf("%s%d", i ? "," : "", real[i]);
        printf("]");
      }
      if (!strcmp(op, "recvmsg") && ret >= 0 && nv > 2) printf(",\"ctrunc\":%s", v[2] ? "true" : "false");
      // Bookkeeping: objects, the fd map, workers.
      if (ret >= 0) {
        if (!strcmp(op, "open")) { add_obj(K_REGULAR, rd, 0); rd = -1; }
        if (!strcmp(op, "io_uring_setup")) add_obj(K_RING, -1, 0);
        if (!strcmp(op, "socket") && nv >= 3) add_obj(K_UNIX, -1, (unsigned long)v[2]);
        if (!strcmp(op, "connect")) add_obj(K_UNIX, -1, 0);   // the embryo: unobserved until accepted
        if (!strcmp(op, "accept") && nv >= 3 && ring_obj >= 0 && ring_obj < nobj && objs[ring_obj].kind == K_UNIX) objs[ring_obj].ino = (unsigned long)v[2];
        if (!strcmp(op, "socketpair") && nv >= 6) { add_obj(K_UNIX, -1, (unsigned long)v[4]); add_obj(K_UNIX, -1, (unsigned long)v[5]); }
        for (int i = 0; i < nreal && i < npred; i++) bind_fd(t, pred[i], real[i]);
        if (!strcmp(op, "close") && nargs > 0) bind_fd(t, atoi(toks[2]), -1);
        if (!strcmp(op, "fork") && npred > 0 && pred[0] >= 0 && pred[0] < MAXT) {
          int c = pred[0];
          start_worker(c, (pid_t)ret);
          memcpy(fdmap[c], fdmap[t], sizeof fdmap[t]);
        }
      }
      // After IORING_UNREGISTER_FILES the teardown canary says nothing more about the ring.
      if (!strcmp(op, "io_uring_unregister") && ret >= 0 && ring_obj >= 0 && ring_obj < nobj && objs[ring_obj].kind == K_RING && objs[ring_obj].canary >= 0) {
        close(objs[ring_obj].canary);
        objs[ring_obj].canary = -1;
      }
      if (!strcmp(op, "io_uring_update")) {
        if (swap_slot >= 0 && nv >= 3 && v[2] == 1) {
          // Wait for the old teardown canary (the update's puts have run), then a quiet window.
          int old = objs[ring_obj].canary;
          double t1 = now_ms();
          while (!canary_released(old) && now_ms() - t1 < FLUSH_MS) sleep_ms(2);
          printf(",\"flush_ms\":%.3f", now_ms() - t1);
          close(old);
          objs[ring_obj].canary = tc_rd;
          tc_rd = -1;
          settle(20, 300);
        }
        close(XFER_FD);
      } else if (tc_rd >= 0 && ret >= 0 && ring_obj >= 0 && ring_obj < nobj && objs[ring_obj].kind == K_RING) {
        if (objs[ring_obj].canary >= 0) close(objs[ring_obj].canary);
        objs[ring_obj].canary = tc_rd;
        objs[ring_obj].nslots = nmodel_files;
        tc_rd = -1;
      }
      if (!strcmp(op, "open") || !strcmp(op, "io_uring_register")) close(XFER_FD);
      if (rd >= 0) close(rd);
      if (tc_rd >= 0) close(tc_rd);
    }
  }
observed:
  if (nawait > 0) await_released(await, nawait, AWAIT_MS);
  if (extra > 0) settle(extra, extra + 300);
  observe();
  print_rel();
  printf(",\"ms\":%.3f}\n", now_ms() - t0);
  step_open = 0;
  fflush(stdout);
}

static void trace_end(char *line) {
  // end OBJ=l|r|g ...: wait for the predicted releases, then report every object.
  int want[MAXOBJ], nwant = 0;
  char *save = NULL;
  strtok_r(line, " \n", &save);
  for (char *tk = strtok_r(NULL, " \n", &save); tk; tk = strtok_r(NULL, " \n", &save)) {
    char *eq = strchr(tk, '=');
    if (!eq || !(eq[1] == 'l' || eq[1] == 'r' || eq[1] == 'g') || eq[2] != 0) fatal("an end line is not: end OBJ=l|r|g ...", "");
    *eq = 0;
    int id;
    if (parse_int(tk, 0, MAXOBJ - 1, &id)) fatal("an end line names no object", "");
    if (eq[1] == 'r' && nwant < MAXOBJ) want[nwant++] = id;
  }
  double waited = await_released(want, nwant, AWAIT_MS);
  printf("{\"end\":true,\"waited_ms\":%.3f,\"objects\":[", waited);
  for (int i = 0; i < nobj; i++) {
    printf("%s{\"id\":%d,\"kind\":\"%s\",\"state\":\"%s\"}", i ? "," : "", i, kind_name[objs[i].kind],
           objs[i].released ? "released" : (objs[i].kind == K_RING && objs[i].canary < 0) || (objs[i].kind == K_UNIX && objs[i].ino == 0) ? "unobserved" : "live");
  }
  printf("]}\n");
  fflush(stdout);
}

static void vm_poweroff(void) {
  if (getpid() != 1) return;   // a forked worker inherits the handler: only PID 1 powers off
  fflush(stdout);
  tcdrain(1);
  sync();
  reboot(RB_POWER_OFF);
  for (;;) pause();
}

// PID 1 of the guest: proc and devtmpfs, stdout to /dev/ttyS1 (raw: no \r added), stdin from /script
// (the initramfs's script); at exit, power off (PID 1 must not return: that is a panic).
static void vm_start(void) {
  vm_mode = 1;
  mkdir("/proc", 0555); mkdir("/dev", 0755);
  mount("proc", "/proc", "proc", 0, NULL);
  mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
  int out = open("/dev/ttyS1", O_WRONLY | O_NOCTTY);
  if (out < 0) { reboot(RB_POWER_OFF); _exit(1); }
  struct termios tio;
  if (tcgetattr(out, &tio) == 0) { cfmakeraw(&tio); tcsetattr(out, TCSANOW, &tio); }
  dup2(out, 1);
  if (out != 1) close(out);
  int in = open("/script", O_RDONLY);
  if (in >= 0) { dup2(in, 0); if (in != 0) close(in); }
  int null = open("/dev/null", O_RDWR);
  if (null >= 0) { dup2(null, 2); if (null != 2) close(null); }
  atexit(vm_poweroff);
}

int main(int argc, char **argv) {
  if (argc >= 3 && !strcmp(argv[1], "--worker")) {
    worker_start(atoi(argv[2]), 0, 1);
    return 0;
  }
  signal(SIGCHLD, SIG_IGN);
  signal(SIGPIPE, SIG_IGN);
  coordinator = getpid();
  if (coordinator == 1) vm_start();
  struct rlimit rl;
  getrlimit(RLIMIT_NOFILE, &rl);
  if (rl.rlim_cur < 1024) { rl.rlim_cur = rl.rlim_max < 1024 ? rl.rlim_max : 1024; setrlimit(RLIMIT_NOFILE, &rl); }
  if (rl.rlim_cur < 1024) { errno = EMFILE; die("RLIMIT_NOFILE below 1024"); }
  for (int t = 0; t < MAXT; t++) {
    int c[2], r[2];
    if (pipe(c) < 0 || pipe(r) < 0) die("control pipe");
    dup2(c[0], cmd_rd(t)); dup2(c[1], cmd_wr(t)); dup2(r[0], rep_rd(t)); dup2(r[1], rep_wr(t));
    close(c[0]); close(c[1]); close(r[0]); close(r[1]);
  }
  int me = (int)syscall(__NR_pidfd_open, getpid(), 0);
  if (me < 0) die("pidfd_open");
  dup2(me, COORD_PIDFD);
  close(me);

  struct utsname u;
  uname(&u);
  uint32_t params[30];
  memset(params, 0, sizeof params);
  int rfd = (int)syscall(__NR_io_uring_setup, 1, params);
  int ring_errno = rfd < 0 ? errno : 0;
  // For tests of the `unsupported` path (as under Docker's seccomp profile): pretend EPERM.
  if (getenv("INFLIGHT_EXECUTOR_DENY_IO_URING")) { if (rfd >= 0) close(rfd); rfd = -1; ring_errno = EPERM; }
  if (rfd >= 0) close(rfd);
  ring_ok = rfd >= 0;
  printf("{\"header\":true,\"kernel\":");
  json_str(u.release);
  printf(",\"version\":");
  json_str(u.version);
  if (vm_mode) printf(",\"vm\":true");
  printf(",\"io_uring\":\"%s\"", ring_ok ? "ok" : "unsupported");
  if (!ring_ok) { printf(",\"io_uring_errno\":"); json_str(ename(ring_errno)); }
  int disabled = -1;
  FILE *f = fopen("/proc/sys/kernel/io_uring_disabled", "re");
  if (f) { if (fscanf(f, "%d", &disabled) != 1) disabled = -1; fclose(f); }
  printf(",\"io_uring_disabled\":%d,\"uid\":%d}\n", disabled, (int)getuid());
  fflush(stdout);

  char line[8192];
  int idx = 0, in_trace = 0;
  while (fgets(line, sizeof line, stdin)) {
    size_t len = strlen(line);
    if (len == sizeof line - 1 && line[len - 1] != '\n') fatal("a script line longer than the executor reads", "");
    if (len != strlen(line) || memchr(line, 0, len)) fatal("a NUL byte in the script", "");
    if (line[0] == '#' || line[0] == '\n') continue;
    if (!strncmp(line, "trace ", 6)) {
      if (in_trace) trace_cleanup();
      // trace INDEX TASKS FDS: no name (nothing of the script is printed back), each number checked.
      char *save = NULL, *w[5];
      int nw = 0, index;
      for (char *tk = strtok_r(line + 6, " \n", &save); tk && nw < 5; tk = strtok_r(NULL, " \n", &save)) w[nw++] = tk;
      if (nw != 3 || parse_int(w[0], 0, 1000000000, &index) || parse_int(w[1], 1, MAXT, &ntasks) || parse_int(w[2], 1, COORD_PIDFD - 4, &nfds)) {
        fatal("a trace line is not: trace INDEX TASKS FDS (tasks 1..8, fds 1..595)", "");
      }
      printf("{\"trace\":%d}\n", index);
      trace_begin();
      in_trace = 1;
      idx = 0;
    } else if (!strncmp(line, "end", 3)) {
      if (in_trace) { trace_end(line); trace_cleanup(); }
      in_trace = 0;
    } else if (in_trace) {
      step(idx++, line);
    }
  }
  if (in_trace) trace_cleanup();
  printf("{\"done\":true}\n");
  return 0;
}
