/* inflight repro --minimal, part 1 of 2 (after prelude.c): constants and the helpers that build a syscall's
 * arguments and compare its result. The generator (traces/repro-minimal.ts) appends main: one raw
 * syscall() per step of a one-task trace, in the trace's order, each followed by a check against the
 * design's result; numbers it has checked, strings (in step_text, step_recorded) as octal escapes. */

/* A trace's fd outside the model's fd table (the model answers EBADF): an fd number nobody has open. */
#define FAR_FD 0x7fffffff
/* A slot or offset too large for the kernel's 32-bit fields: one past any table. */
#define FAR_INDEX 0x7fffffff
#define SCM_MAX_FD 253
#define HELPER static __attribute__((unused))

/* Generated (part 2): each step's text, and what the trace file recorded where it is not the design's
 * result (NULL where it is). */
extern const char *const step_text[];
extern const char *const step_recorded[];
extern const char trace_design[];

static int differ;
static char fifo[64], fifo_dir[48];

static const char *errname(int e) {
  static const struct { int e; const char *name; } names[] = {
    { EBADF, "EBADF" }, { EINVAL, "EINVAL" }, { EBUSY, "EBUSY" }, { ENXIO, "ENXIO" }, { EMFILE, "EMFILE" },
    { EAGAIN, "EAGAIN" }, { ENOTSOCK, "ENOTSOCK" }, { EOPNOTSUPP, "EOPNOTSUPP" }, { ECONNREFUSED, "ECONNREFUSED" },
    { EPIPE, "EPIPE" }, { ENFILE, "ENFILE" }, { EPERM, "EPERM" }, { ENOSYS, "ENOSYS" }, { ENOMEM, "ENOMEM" },
    { EFAULT, "EFAULT" }, { ETOOMANYREFS, "ETOOMANYREFS" }, { ESRCH, "ESRCH" }, { EACCES, "EACCES" },
    { EPROTOTYPE, "EPROTOTYPE" }, { ENOTCONN, "ENOTCONN" }, { EISCONN, "EISCONN" },
  };
  static char buf[16];
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) if (names[i].e == e) return names[i].name;
  snprintf(buf, sizeof buf, "E%d", e);
  return buf;
}

/* The model's regular file: a FIFO opened O_RDWR, one fd per open (each its own struct file), readable
 * with nothing to read, so an io_uring read on it stays pending as the model's does. Made here, in a
 * fresh directory under /tmp, removed by finish(); no fd stays open. */
HELPER void start(int nsteps) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  signal(SIGPIPE, SIG_IGN);
  snprintf(fifo_dir, sizeof fifo_dir, "/tmp/inflight-repro-XXXXXX");
  if (!mkdtemp(fifo_dir)) { perror("repro: mkdtemp"); exit(2); }
  snprintf(fifo, sizeof fifo, "%s/file", fifo_dir);
  if (mkfifo(fifo, 0600) < 0) { perror("repro: mkfifo"); exit(2); }
  printf("inflight repro --minimal: %d steps of design %s\n", nsteps, trace_design);
}

static void print_res(long ret, const char *err, int nfds, const int *fds) {
  if (err[0]) printf("-1 %s", err); else printf("%ld", ret);
  for (int i = 0; i < nfds; i++) printf("%s%d%s", i ? ", " : " [fds ", fds[i], i == nfds - 1 ? "]" : "");
}

/* The check after each step: the kernel's result (res, errno, the fds it installed) against the design's
 * (ret, err, want). A step whose result the trace file recorded otherwise differs too: the kernel cannot
 * agree with both. Prints a line only for a step that differs. */
static void expect_fds_e(int n, long res, int e, int ret, const char *err, int nwant, const int *want, int ngot, const int *got) {
  const char *kerr = res < 0 ? errname(e) : "";
  int same = strcmp(kerr, err) == 0 && (err[0] || (res == ret && ngot == nwant));
  for (int i = 0; same && !err[0] && i < nwant; i++) same = want[i] == got[i];
  if (same && !step_recorded[n]) return;
  differ = 1;
  printf("step %d %s: kernel ", n, step_text[n]);
  print_res(res, kerr, res < 0 ? 0 : ngot, got);
  printf("; trace ");
  if (step_recorded[n]) printf("%s (the design gives ", step_recorded[n]);
  print_res(ret, err, nwant, want);
  printf("%s; DIFFERS\n", step_recorded[n] ? ")" : "");
}
HELPER void expect_fds(int n, long res, int ret, const char *err, int nwant, const int *want, int ngot, const int *got) {
  expect_fds_e(n, res, errno, ret, err, nwant, want, ngot, got);
}
HELPER void expect(int n, long res, int ret, const char *err) { expect_fds_e(n, res, errno, ret, err, 0, NULL, 0, NULL); }

/* A step with no syscall of its own (the kernel's work, a sub-step, the GC's kick) whose result the trace
 * file recorded otherwise than the design gives. */
HELPER void recorded_differs(int n) {
  differ = 1;
  printf("step %d %s: no syscall here; the trace file recorded %s, which is not what the design gives; DIFFERS\n", n, step_text[n], step_recorded[n]);
}

/* sendmsg's message: one data byte, and SCM_RIGHTS with the n fds (none: no control message). */
HELPER struct msghdr *rights_msg(int n, const int *fds) {
  static char byte = 'x';
  static struct iovec iov;
  static struct msghdr m;
  static union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int) * SCM_MAX_FD)]; } u;
  iov.iov_base = &byte; iov.iov_len = 1;
  memset(&m, 0, sizeof m);
  m.msg_iov = &iov; m.msg_iovlen = 1;
  if (n > 0 && n <= SCM_MAX_FD) {
    m.msg_control = u.buf; m.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)n);
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET; c->cmsg_type = SCM_RIGHTS; c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)n);
    memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)n);
  }
  return &m;
}

/* recvmsg's message: room for one byte and SCM_MAX_FD fds (a smaller buffer makes the kernel close the
 * surplus, MSG_CTRUNC); received() lists the fds the last recvmsg installed. */
static struct msghdr rmsg;
static union { struct cmsghdr h; char buf[CMSG_SPACE(sizeof(int) * SCM_MAX_FD)]; } rbuf;
HELPER struct msghdr *recv_msg(void) {
  static char byte;
  static struct iovec iov;
  iov.iov_base = &byte; iov.iov_len = 1;
  memset(&rmsg, 0, sizeof rmsg);
  rmsg.msg_iov = &iov; rmsg.msg_iovlen = 1; rmsg.msg_control = rbuf.buf; rmsg.msg_controllen = sizeof rbuf.buf;
  return &rmsg;
}
static int got_fds[SCM_MAX_FD];
HELPER int received(void) {
  int n = 0;
  for (struct cmsghdr *c = CMSG_FIRSTHDR(&rmsg); c; c = CMSG_NXTHDR(&rmsg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    int k = (int)((c->cmsg_len - CMSG_LEN(0)) / sizeof(int));
    for (int i = 0; i < k && n < SCM_MAX_FD; i++) memcpy(&got_fds[n++], CMSG_DATA(c) + sizeof(int) * (size_t)i, sizeof(int));
  }
  return n;
}

/* The model's abstract address n: sun_path "\0inflight-repro-<pid>-<n>" (this process's pid: unique to
 * the run, whatever else on the machine binds). */
static struct sockaddr_un name_addr;
HELPER struct sockaddr *abstract_name(int n, socklen_t *len) {
  memset(&name_addr, 0, sizeof name_addr);
  name_addr.sun_family = AF_UNIX;
  int k = snprintf(name_addr.sun_path + 1, sizeof name_addr.sun_path - 1, "inflight-repro-%d-%d", (int)getpid(), n);
  *len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)k);
  return (struct sockaddr *)&name_addr;
}

/* IORING_REGISTER_FILES_UPDATE's argument (struct io_uring_files_update). */
HELPER void *files_update(unsigned offset, const int *fds) {
  static struct { uint32_t offset, resv; uint64_t fds; } __attribute__((aligned(8))) up;
  up.offset = offset; up.resv = 0; up.fds = (uint64_t)(uintptr_t)fds;
  return &up;
}

/* io_uring_enter with one SQE: sqe_get maps the ring's SQ ring, SQEs and CQ ring (p: the params its
 * io_uring_setup filled; NULL for an fd that is no ring here, then nothing is mapped and the call's error is
 * the kernel's), the step fills the SQE, sqe_submit publishes it; expect_enter reads the CQE posted before
 * the call returned (user_data = the step) and unmaps everything at once: the model has no mmaps, and a
 * mapping would keep the ring file alive past the trace's close. */
static void *sq_map = MAP_FAILED, *sqes_map = MAP_FAILED, *cq_map = MAP_FAILED;
static size_t sq_len, sqes_len, cq_len;
static const struct ring_params *cur;
static uint32_t cq_head0;
static struct ring_sqe dummy_sqe;
static char ring_bufs[64][16];   /* read/recv buffers (a pending request keeps its own) */
HELPER struct ring_sqe *sqe_get(int ring, const struct ring_params *p) {
  cur = p;
  if (p) {
    sq_len = p->sq_off.array + p->sq_entries * sizeof(uint32_t);
    sqes_len = p->sq_entries * sizeof(struct ring_sqe);
    cq_len = p->cq_off.cqes + p->cq_entries * sizeof(struct ring_cqe);
    sq_map = mmap(NULL, sq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring, RING_OFF_SQ_RING);
    sqes_map = mmap(NULL, sqes_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring, RING_OFF_SQES);
    cq_map = mmap(NULL, cq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring, RING_OFF_CQ_RING);
  }
  memset(&dummy_sqe, 0, sizeof dummy_sqe);
  if (!p || sq_map == MAP_FAILED || sqes_map == MAP_FAILED || cq_map == MAP_FAILED) { cur = NULL; return &dummy_sqe; }
  uint32_t t = *(uint32_t *)((char *)sq_map + p->sq_off.tail), mask = *(uint32_t *)((char *)sq_map + p->sq_off.ring_mask);
  struct ring_sqe *e = (struct ring_sqe *)sqes_map + (t & mask);
  memset(e, 0, sizeof *e);
  return e;
}
HELPER void *ring_buf(int n) { return ring_bufs[n % 64]; }
HELPER void sqe_submit(void) {
  if (!cur) return;
  uint32_t *tail = (uint32_t *)((char *)sq_map + cur->sq_off.tail);
  uint32_t t = *tail, idx = t & *(uint32_t *)((char *)sq_map + cur->sq_off.ring_mask);
  ((uint32_t *)((char *)sq_map + cur->sq_off.array))[idx] = idx;
  cq_head0 = *(uint32_t *)((char *)cq_map + cur->cq_off.head);
  __atomic_store_n(tail, t + 1, __ATOMIC_RELEASE);
}
/* The result compared is the model's: the call's return, or the CQE's error when the kernel failed the SQE
 * at once (posted before the call returned). */
HELPER void expect_enter(int n, long res, int ret, const char *err) {
  int e = errno, cqe_res = 0, has_cqe = 0;
  if (cur && res >= 0) {
    uint32_t ctail = __atomic_load_n((uint32_t *)((char *)cq_map + cur->cq_off.tail), __ATOMIC_ACQUIRE);
    uint32_t cmask = *(uint32_t *)((char *)cq_map + cur->cq_off.ring_mask);
    struct ring_cqe *cqes = (struct ring_cqe *)((char *)cq_map + cur->cq_off.cqes);
    for (uint32_t h = cq_head0; h != ctail; h++) if (cqes[h & cmask].user_data == (uint64_t)n) { has_cqe = 1; cqe_res = cqes[h & cmask].res; }
  }
  if (sq_map != MAP_FAILED) munmap(sq_map, sq_len);
  if (sqes_map != MAP_FAILED) munmap(sqes_map, sqes_len);
  if (cq_map != MAP_FAILED) munmap(cq_map, cq_len);
  sq_map = sqes_map = cq_map = MAP_FAILED;
  cur = NULL;
  if (has_cqe && cqe_res < 0) { res = -1; e = -cqe_res; }
  expect_fds_e(n, res, e, ret, err, 0, NULL, 0, NULL);
}

/* unix_gc: the kernel runs its GC when something kicks it (on 6.18, the release of any unix socket while
 * one is in flight) and in a workqueue; no user API runs it or waits for it. The kick is socket + close,
 * then a wait long enough for the run (tens of ms measured). */
HELPER void wait_ms(int ms) { struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L }; nanosleep(&ts, NULL); }

HELPER int finish(int nsteps) {
  unlink(fifo);
  rmdir(fifo_dir);
  if (differ) printf("the kernel's results DIFFER from the trace's\n");
  else printf("the kernel's results agree with the trace's at all %d steps\n", nsteps);
  return differ ? 1 : 0;
}
