/* inflight repro, part 3 of 3: the program. It reads only the tables above (trace_steps, objs) and the
 * sizes NTASKS, NSTEPS, NOBJS and MAXFD, which the generator has checked. */

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

/* The kernel fd for the trace's fd m: mapped, or m itself (so a closed fd gives the kernel's EBADF); an fd
 * outside the model's table is FAR_FD, so that no trace can reach this program's own fds (600 and up). */
HELPER int FD(int m) {
  if (m < 0 || m >= MAXFD) return m == -1 ? -1 : FAR_FD;
  return fdmap[m] >= 0 ? fdmap[m] : m;
}
HELPER void map_fd(int m, int k) { if (m >= 0 && m < MAXFD) fdmap[m] = k; }
HELPER void unmap_fd(int m) { if (m >= 0 && m < MAXFD) fdmap[m] = -1; }

HELPER void set_ret(struct reply *r, int rc) { r->ret = rc; r->err = rc < 0 ? errno : 0; }
/* A call that returns a new fd: the trace's fd number (if it recorded success) now names it. */
HELPER void set_ret_fd(struct reply *r, int fd, int trace_fd) {
  set_ret(r, fd);
  if (fd >= 0 && trace_fd >= 0) map_fd(trace_fd, fd);
}

HELPER unsigned long inode_of(int fd) { struct stat st; return fstat(fd, &st) == 0 ? (unsigned long)st.st_ino : 0; }

/* open(): a canary. pipe2 takes two fds; the read end moves high, and the pipe is reopened O_RDWR
 * (blocking) through /proc/self/fd at the lowest free fd, so the "file" takes exactly one fd, the one
 * open() would have returned, and is readable like the model's O_RDWR file: an io_uring read on it has
 * nothing to read and stays pending. It counts as a writer, so the read end sees EOF once it is gone.
 * Without /proc the write end itself is the file (a read on it then fails with EBADF). */
HELPER int make_canary(struct reply *r) {
  int p[2];
  if (pipe2(p, O_NONBLOCK) < 0) return -1;
  r->canary_rd = move_high(p[0], CANARY_BASE);
  char path[64];
  snprintf(path, sizeof path, "/proc/self/fd/%d", p[1]);
  int w = open(path, O_RDWR);
  if (w < 0) w = fcntl(p[1], F_DUPFD, 0);
  close(p[1]);
  return w;
}

/* sendmsg of one byte with n fds in SCM_RIGHTS. The control buffer is sized for n (more than SCM_MAX_FD
 * is the kernel's EINVAL to give, so it gets them all). */
HELPER int send_fds_flags(int sock, const int *fds, int n, int flags) {
  char byte = 'x';
  struct iovec iov = { &byte, 1 };
  struct msghdr m = { 0 };
  m.msg_iov = &iov; m.msg_iovlen = 1;
  void *buf = NULL;
  if (n > 0) {
    buf = calloc(1, CMSG_SPACE(sizeof(int) * (size_t)n));
    if (!buf) die("calloc");
    m.msg_control = buf; m.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)n);
    struct cmsghdr *c = CMSG_FIRSTHDR(&m);
    c->cmsg_level = SOL_SOCKET; c->cmsg_type = SCM_RIGHTS; c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)n);
    memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)n);
  }
  /* MSG_NOSIGNAL: EPIPE without a fatal SIGPIPE; MSG_DONTWAIT: EAGAIN instead of blocking. */
  int rc = (int)sendmsg(sock, &m, MSG_DONTWAIT | MSG_NOSIGNAL | flags);
  int e = errno;
  free(buf);
  errno = e;
  return rc;
}
HELPER int send_fds(int sock, const int *fds, int n) { return send_fds_flags(sock, fds, n, 0); }

/* listen as the model has it (no addresses): a stream socket is bound to an autobound abstract name
 * (bind with only sun_family), then listen(SOMAXCONN); anything else gets a plain listen() (a dgram
 * socket stays unbound: EOPNOTSUPP). */
HELPER int do_listen(int fd) {
  int type = 0;
  socklen_t tl = sizeof type;
  if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tl) == 0 && type == SOCK_STREAM) {
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa_family_t)) < 0) return -1;
  }
  return listen(fd, SOMAXCONN);
}

/* connect(fd) to the name of `to` (getsockname); when `to` has none (not a socket, never listened), an
 * abstract name nobody has: ECONNREFUSED, as the model says. */
HELPER int do_connect(int fd, int to) {
  struct sockaddr_un sa;
  socklen_t len = sizeof sa;
  memset(&sa, 0, sizeof sa);
  if (getsockname(to, (struct sockaddr *)&sa, &len) < 0 || len <= sizeof(sa_family_t)) {
    memset(&sa, 0, sizeof sa);
    sa.sun_family = AF_UNIX;
    int n = snprintf(sa.sun_path + 1, sizeof sa.sun_path - 1, "inflight-repro-nobody-%d", (int)getpid());
    len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n);
  }
  return connect(fd, (struct sockaddr *)&sa, len);
}

/* accept, non-blocking: O_NONBLOCK on the listener's file around the call (EAGAIN on an empty queue). */
HELPER int do_accept(int fd) {
  int fl = fcntl(fd, F_GETFL);
  if (fl >= 0) fcntl(fd, F_SETFL, fl | O_NONBLOCK);
  int r = accept4(fd, NULL, NULL, 0);
  int e = errno;
  if (fl >= 0) fcntl(fd, F_SETFL, fl);
  errno = e;
  return r;
}

/* IORING_REGISTER_FILES_UPDATE (struct io_uring_files_update: offset, resv, fds pointer). */
HELPER int files_update(int ring, unsigned offset, int *files, int n) {
  struct { uint32_t offset, resv; uint64_t fds; } __attribute__((aligned(8))) up = { offset, 0, (uint64_t)(uintptr_t)files };
  return (int)syscall(__NR_io_uring_register, ring, IORING_REGISTER_FILES_UPDATE, &up, n);
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
    if (n > SCM_MAX_FD) n = SCM_MAX_FD;     /* the buffer holds no more */
    memcpy(got, CMSG_DATA(c), sizeof(int) * (size_t)n);
    for (int i = 0; i < n; i++) {
      if (r->nfds < (int)(sizeof r->fds / sizeof r->fds[0])) r->fds[r->nfds] = got[i];
      if (r->nfds < ntrace) map_fd(trace_fds[r->nfds], got[i]);
      r->nfds++;
    }
  }
}

/* Each ring's io_uring_params (its mmap layout), by kernel fd: kept at setup, copied by dup, forgotten at
 * close; forked workers inherit the table. A ring fd this table does not know (received in a message) takes
 * the layout of the start-up probe ring: every ring here is made with the same entries and flags. */
static struct ring_params ring_of[CTL_BASE], ring_template;
static int ring_known[CTL_BASE], have_template;

HELPER int ring_setup(void) {
  struct ring_params p;
  memset(&p, 0, sizeof p);                 /* all zero = default flags */
  int fd = (int)syscall(__NR_io_uring_setup, 8, &p);
  if (fd >= 0 && fd < CTL_BASE) { ring_of[fd] = p; ring_known[fd] = 1; }
  if (fd >= 0 && !have_template) { ring_template = p; have_template = 1; }
  return fd;
}
HELPER void ring_forget(int fd) { if (fd >= 0 && fd < CTL_BASE) ring_known[fd] = 0; }
HELPER void ring_copy(int to, int from) {
  if (to < 0 || to >= CTL_BASE) return;
  ring_known[to] = from >= 0 && from < CTL_BASE && ring_known[from];
  if (ring_known[to]) ring_of[to] = ring_of[from];
}

/* io_uring_enter with one SQE, through mmaps that live only for this call. r->ret/err: the call's result,
 * or the CQE's error when the SQE failed at once (res < 0 posted before the call returned). */
static char ring_bufs[NSTEPS + 1][16];       /* a read/recv buffer per step (a pending request keeps it) */
HELPER void ring_enter(struct reply *r, int ring, int op, int fixed, int target, int n) {
  const struct ring_params *p = ring >= 0 && ring < CTL_BASE && ring_known[ring] ? &ring_of[ring] : have_template ? &ring_template : NULL;
  void *sq = MAP_FAILED, *sqes = MAP_FAILED, *cq = MAP_FAILED;
  size_t sq_len = 0, sqes_len = 0, cq_len = 0;
  if (p) {
    sq_len = p->sq_off.array + p->sq_entries * sizeof(uint32_t);
    sqes_len = p->sq_entries * sizeof(struct ring_sqe);
    cq_len = p->cq_off.cqes + p->cq_entries * sizeof(struct ring_cqe);
    sq = mmap(NULL, sq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring, RING_OFF_SQ_RING);
    sqes = mmap(NULL, sqes_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring, RING_OFF_SQES);
    cq = mmap(NULL, cq_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring, RING_OFF_CQ_RING);
  }
  int mapped = sq != MAP_FAILED && sqes != MAP_FAILED && cq != MAP_FAILED;
  uint32_t chead = 0;
  if (mapped) {
    uint32_t *tail = (uint32_t *)((char *)sq + p->sq_off.tail);
    uint32_t mask = *(uint32_t *)((char *)sq + p->sq_off.ring_mask);
    uint32_t t = *tail, idx = t & mask;    /* this process is the only producer now */
    struct ring_sqe *e = (struct ring_sqe *)sqes + idx;
    memset(e, 0, sizeof *e);
    e->opcode = (uint8_t)op;
    e->flags = fixed ? IOSQE_FIXED_FILE : 0;
    e->fd = target;
    e->addr = (uint64_t)(uintptr_t)ring_bufs[n];
    e->len = sizeof ring_bufs[n];
    e->user_data = (uint64_t)n;
    ((uint32_t *)((char *)sq + p->sq_off.array))[idx] = idx;
    chead = *(uint32_t *)((char *)cq + p->cq_off.head);
    __atomic_store_n(tail, t + 1, __ATOMIC_RELEASE);
  }
  /* Not mapped (not a ring, a closed fd): the call is made all the same, and its error is the kernel's. */
  int rc = (int)syscall(__NR_io_uring_enter, ring, 1, 0, 0, NULL, 0);
  int e = errno;
  r->enter_ret = rc;
  if (mapped && rc >= 0) {
    uint32_t ctail = __atomic_load_n((uint32_t *)((char *)cq + p->cq_off.tail), __ATOMIC_ACQUIRE);
    uint32_t cmask = *(uint32_t *)((char *)cq + p->cq_off.ring_mask);
    struct ring_cqe *cqes = (struct ring_cqe *)((char *)cq + p->cq_off.cqes);
    for (uint32_t h = chead; h != ctail; h++) {
      if (cqes[h & cmask].user_data == (uint64_t)n) { r->has_cqe = 1; r->cqe_res = cqes[h & cmask].res; }
    }
  }
  /* Unmapped at once: no mapping may hold the ring past the trace's close. */
  if (sq != MAP_FAILED) munmap(sq, sq_len);
  if (sqes != MAP_FAILED) munmap(sqes, sqes_len);
  if (cq != MAP_FAILED) munmap(cq, cq_len);
  if (rc < 0) { r->ret = -1; r->err = e; }
  else if (r->has_cqe && r->cqe_res < 0) { r->ret = -1; r->err = -r->cqe_res; }
  else { r->ret = rc; r->err = 0; }
}

HELPER void close_cloexec_fds(void) {
  for (int fd = 3; fd < CTL_BASE; fd++) {
    int fl = fcntl(fd, F_GETFD);
    if (fl >= 0 && (fl & FD_CLOEXEC) && close(fd) == 0) ring_forget(fd);
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
/* A call the trace makes in sub-steps: the kernel's reply of the whole call, kept for the step where the
 * trace's call returns. */
static struct reply made[NTASKS];
static int have_made[NTASKS];

/* Polls every object; prints the ones that are released now and were not before. */
static int observe(int print) {
  int changed = 0;
  for (int i = 0; i < NOBJS; i++) {
    struct object *o = &objs[i];
    if (o->released || !created[i]) continue;
    int rel = 0;
    if (o->kind == O_CANARY && o->canary_rd >= 0) rel = canary_released(o->canary_rd);
    else if ((o->kind == O_UNIX || o->kind == O_EMBRYO) && o->ino) rel = unix_inode_live(o->ino) == 0;
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
/* ---------------------------------------------------------------------------------------------- */
/* The trace's steps, as the worker of the step's task makes them (the coordinator's are in main). */

/* The kernel fds for a list of the trace's fds (-1 stays -1: FILES_UPDATE's cleared slot). */
static int *kernel_fds(const struct trace_step *s) {
  int *k = calloc((size_t)s->nlist + 1, sizeof(int));
  if (!k) die("calloc");
  for (int i = 0; i < s->nlist; i++) k[i] = FD(s->list[i]);
  return k;
}

static void run_step(int n, struct reply *r) {
  const struct trace_step *s = &trace_steps[n];
  int type = s->flag ? SOCK_STREAM : SOCK_DGRAM;
  r->obj[0] = s->obj[0]; r->obj[1] = s->obj[1];
  switch (s->kind) {
  case K_OPEN: {
    /* open("file", O_RDWR), observed as a canary: a pipe reopened O_RDWR takes one fd. */
    set_ret_fd(r, make_canary(r), s->ret);
    break;
  }
  case K_CLOSE: {
    int k = FD(s->fd);
    int rc = close(k);
    set_ret(r, rc);
    if (rc == 0) { ring_forget(k); unmap_fd(s->fd); }
    break;
  }
  case K_DUP: {
    int fd = dup(FD(s->fd));
    if (fd >= 0) ring_copy(fd, FD(s->fd));
    set_ret_fd(r, fd, s->ret);
    break;
  }
  case K_FORK:
    /* The child is the worker of the design's new task; it inherits this fd table. A fork the design
     * fails (no task slot within the trace's bounds) makes no process. */
    if (s->ret >= 0 && s->ret < NTASKS) do_fork(r, s->ret);
    else { r->ret = -1; r->err = 0; r->not_made = 1; }
    break;
  case K_EXIT:
    /* exit(): the kernel closes every fd; the coordinator waits on the pidfd. */
    _exit(0);
  case K_EXEC:
    /* execve(): a real exec would replace this worker; the model's exec only closes the FD_CLOEXEC fds
     * (do_close_on_exec), so the worker does exactly that. */
    close_cloexec_fds();
    set_ret(r, 0);
    break;
  case K_SOCKETPAIR: {
    int sv[2];
    int rc = socketpair(AF_UNIX, type, 0, sv);
    set_ret(r, rc);
    if (rc == 0) {
      map_fd(s->nfds > 0 ? s->fds[0] : -1, sv[0]); map_fd(s->nfds > 1 ? s->fds[1] : -1, sv[1]);
      r->nfds = 2; r->fds[0] = sv[0]; r->fds[1] = sv[1];
      r->ino[0] = inode_of(sv[0]); r->ino[1] = inode_of(sv[1]);
    }
    break;
  }
  case K_SENDMSG: {
    /* One data byte (MSG_OOB: the receiver's out-of-band skb); SCM_RIGHTS carries the list's files. */
    int *k = kernel_fds(s);
    set_ret(r, send_fds_flags(FD(s->fd), k, s->nlist, s->flag ? MSG_OOB : 0));
    free(k);
    break;
  }
  case K_RECVMSG:
    /* The received files are installed at the lowest free fds, in order (MSG_PEEK: the message stays
     * queued, each carried file gets a new fd); the trace's fd numbers are mapped to them. A call the
     * trace makes in sub-steps (resume) is one recvmsg() here. */
    recv_fds(r, FD(s->fd), s->flag, s->list, s->nlist);
    break;
  case K_SOCKET: {
    int fd = socket(AF_UNIX, type, 0);
    if (fd >= 0) r->ino[0] = inode_of(fd);
    set_ret_fd(r, fd, s->ret);
    break;
  }
  case K_LISTEN:
    /* The model has no addresses: bind to an autobound abstract name, then listen(SOMAXCONN). */
    set_ret(r, do_listen(FD(s->fd)));
    break;
  case K_CONNECT:
    /* Connect to the name of fd `to` (getsockname); an unnamed `to` is an address nobody has. The object
     * it creates is the embryo: the server side, no inode until accepted. */
    set_ret(r, do_connect(FD(s->fd), FD(s->to)));
    break;
  case K_ACCEPT: {
    /* Non-blocking, as the model's calls are; the object is the model's embryo that this accept takes. */
    int fd = do_accept(FD(s->fd));
    if (fd >= 0) r->ino[0] = inode_of(fd);
    set_ret_fd(r, fd, s->ret);
    break;
  }
  case K_IO_URING_UPDATE: {
    /* IORING_REGISTER_FILES_UPDATE: the slots from `offset` on get these files (-1 clears a slot). */
    int *k = kernel_fds(s);
    set_ret(r, files_update(FD(s->fd), (unsigned)s->offset, k, s->nlist));
    free(k);
    break;
  }
  case K_IO_URING_SETUP:
    set_ret_fd(r, ring_setup(), s->ret);
    break;
  case K_IO_URING_REGISTER: {
    /* IORING_REGISTER_FILES: the ring takes a reference to each file. */
    int *k = kernel_fds(s);
    set_ret(r, (int)syscall(__NR_io_uring_register, FD(s->fd), IORING_REGISTER_FILES, k, s->nlist));
    free(k);
    break;
  }
  case K_IO_URING_UNREGISTER:
    set_ret(r, (int)syscall(__NR_io_uring_register, FD(s->fd), IORING_UNREGISTER_FILES, NULL, 0));
    break;
  case K_IO_URING_ENTER:
    /* One SQE (IORING_OP_READ or _RECV, on a registered slot with IOSQE_FIXED_FILE or on an fd), user_data
     * the step number, through mmaps that live for this call only (see ring_enter). */
    ring_enter(r, FD(s->fd), s->op ? IORING_OP_RECV : IORING_OP_READ, s->flag, s->flag ? s->target : FD(s->target), n);
    break;
  case K_SETSOCKOPT: {
    /* setsockopt(fd, SOL_SOCKET, SO_PASSRIGHTS, &val, sizeof(int)): 0 makes the socket refuse SCM_RIGHTS. */
    int val = s->flag;
    set_ret(r, setsockopt(FD(s->fd), SOL_SOCKET, SO_PASSRIGHTS_, &val, sizeof val));
    break;
  }
  default:
    /* resume, unix_gc, io_wq, io_ring_exit: no worker step (see main). */
    r->ret = 0;
  }
}

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
  if (probe >= 0) { close(probe); ring_forget(probe); }
  printf("kernel %s %s; io_uring %s\n", u.sysname, u.release, ring_ok ? "usable" : errname(probe_err));
  if (!ring_ok) printf("(io_uring is not usable here: its steps will fail with %s)\n", errname(probe_err));
  printf("trace: %d steps of design %s (property %s)\n", NSTEPS, trace_design, trace_property);
  printf("violation: %s\n", trace_violation);
  printf("compared with design %s\n\n", model_design);

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
    if (s->kind == K_IO_WQ || s->kind == K_IO_RING_EXIT) {
      /* The kernel's own work (io-wq / poll, ring teardown): nothing to make, nothing to compare. */
      printf("step %d %s: kernel - (%s); trace ", n, s->text, s->kind == K_IO_WQ
             ? "io_uring runs its requests when the kernel runs them" : "ring teardown runs in a workqueue after the last close");
      if (s->err[0]) printf("-1 %s", s->err); else print_result(s->ret, 0, s->nfds, s->fds);
      printf("; not compared\n");
      if (s->recorded) { printf("        the trace file recorded %s, which is not what design %s gives; DIFFERS\n", s->recorded, model_design); differ = 1; }
      observe(1);
      continue;
    } else if (s->kind == K_UNIX_GC) {
      r.ret = 0;
    } else if (s->kind == K_RESUME) {
      /* No syscall: the call ran whole at step s->from. Where the trace's call returns, its result is that one. */
      if (!s->pending && have_made[s->task]) {
        r = made[s->task];
        r.obj[0] = r.obj[1] = -1; r.canary_rd = -1; r.child_pid = -1;
        have_made[s->task] = 0;
      } else r.ret = 0;
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
    if (s->pending) {
      /* The trace's call is still in progress after this step; here it is one syscall, made whole at its
       * first step, so its result is compared where the trace's call returns. */
      printf("step %d %s: kernel ", n, s->text);
      if (s->kind == K_RESUME) printf("- (the call ran whole at step %d)", s->from);
      else print_result(r.ret, r.err, r.nfds, r.fds);
      printf("; trace ... (in progress); ");
      if (s->until) printf("compared at step %d\n", s->until);
      else printf("the trace ends before the call returns\n");
      if (s->kind != K_RESUME) { made[s->task] = r; have_made[s->task] = 1; }
    } else {
    printf("step %d %s: kernel ", n, s->text);
    if (r.not_made) printf("- (not made)");
    else if (s->kind == K_FORK && r.ret >= 0) printf("%d (task %d, pid %d)", r.ret, r.ret, r.child_pid);
    else print_result(r.ret, r.err, r.nfds, r.fds);
    printf("; trace ");
    if (s->err[0]) printf("-1 %s", s->err); else print_result(s->ret, 0, s->nfds, s->fds);
    int returns_fd = s->kind == K_OPEN || s->kind == K_DUP || s->kind == K_IO_URING_SETUP || s->kind == K_SOCKET || s->kind == K_ACCEPT;
    int agree, renumbered = 0;
    if (r.not_made) agree = 0;
    else if (s->err[0]) agree = r.ret < 0 && strcmp(errname(r.err), s->err) == 0;
    else if (r.ret < 0) agree = 0;
    else if (returns_fd) { agree = 1; renumbered = r.ret != s->ret; }
    else {
      agree = r.ret == s->ret && r.nfds == s->nfds;
      for (int i = 0; i < s->nfds && i < r.nfds; i++) if (r.fds[i] != s->fds[i]) renumbered = 1;
    }
    /* A trace file whose record is not the design's result (edited, or made by another design): the kernel
     * cannot agree with both, so the step differs from the trace whatever the kernel did. */
    if (s->recorded) agree = 0;
    printf("; %s\n", !agree ? "DIFFERS" : renumbered ? "same, other fd numbers" : "same");
    if (!agree) differ = 1;
    if (renumbered) {
      printf("        fd numbers: the trace's");
      if (returns_fd) printf(" %d is %d here", s->ret, r.ret);
      else for (int i = 0; i < s->nfds && i < r.nfds; i++) printf(" %d is %d here;", s->fds[i], r.fds[i]);
      printf(" (later steps use the kernel's)\n");
    }
    if (r.not_made) printf("        (the design fails this fork: no task slot within the trace's bounds; no process was made)\n");
    if (s->kind == K_RESUME) printf("        (the kernel's result of the call made whole at step %d)\n", s->from);
    if (s->kind == K_IO_URING_ENTER) {
      printf("        io_uring_enter returned ");
      print_result(r.enter_ret, r.err, 0, NULL);
      if (r.has_cqe) printf("; the SQE's CQE was posted at once: res %d%s%s\n", r.cqe_res, r.cqe_res < 0 ? " " : "", r.cqe_res < 0 ? errname(-r.cqe_res) : "");
      else if (r.enter_ret >= 0) printf("; no CQE yet: the request is pending in the kernel\n");
      else printf("\n");
    }
    }
    if (s->recorded) {
      printf("        the trace file recorded %s; design %s gives the result compared here\n", s->recorded, model_design);
      differ = 1;
    }
    if (r.ctrunc && s->kind != K_RESUME) printf("        MSG_CTRUNC: the kernel dropped fds that did not fit\n");

    /* Learn about new objects and processes. */
    if (s->kind == K_FORK && r.ret >= 0 && r.ret < NTASKS) { pids[r.ret] = r.child_pid; pidfd[r.ret] = take_pidfd(r.child_pid); }
    for (int i = 0; i < 2; i++) {
      int o = r.obj[i];
      if (o < 0 || o >= NOBJS || (r.ret < 0)) continue;
      created[o] = 1;
      if (objs[o].kind == O_UNIX || (objs[o].kind == O_EMBRYO && r.ino[i])) objs[o].ino = r.ino[i];
    }
    if (r.canary_rd >= 0 && r.obj[0] >= 0 && r.ret >= 0) {
      /* The coordinator takes its own copy of the canary's read end (the worker's may go with it). */
      int fd = (int)syscall(__NR_pidfd_getfd, pidfd[s->task], r.canary_rd, 0);
      if (fd < 0) die("pidfd_getfd");
      objs[r.obj[0]].canary_rd = move_high(fd, CANARY_BASE);
    }
    if (s->kind == K_UNIX_GC && s->gc_run) unix_gc_step();
    else if (s->kind == K_UNIX_GC) printf("        (a later phase of the GC run made whole at step %d: nothing to do)\n", s->from);
    observe(1);
  }

  /* The end: let asynchronous releases (ring teardown, delayed_fput) finish, at most 500 ms. */
  settle(100, 500);
  printf("\nfiles at the end (kernel; model):\n");
  for (int i = 0; i < NOBJS; i++) {
    struct object *o = &objs[i];
    const char *what = o->kind == O_CANARY ? "regular file (canary pipe)" : o->kind == O_UNIX ? "unix socket"
      : o->kind == O_EMBRYO ? "unix socket (connection)" : "io_uring ring";
    const char *kstate = !created[i] ? "never made here"
      : o->kind == O_RING ? "not observable (seen through the files it holds)"
      : o->kind == O_EMBRYO && !o->ino ? "not observable (never accepted: no inode)"
      : o->released ? "released" : "live";
    const char *mstate = o->model_released < 0 ? "?" : o->model_released ? "released" : "live";
    printf("  %s  %-27s made at step %d: %s; model: %s\n", o->name, what, o->step, kstate, mstate);
  }
  printf("\n%s\n", differ ? "the kernel's results DIFFER from the trace's" : "the kernel's results agree with the trace's");

  /* Stop the workers that are still alive. */
  for (int t = 0; t < NTASKS; t++) if (pids[t] > 0) { int stop = -1; if (write(cmd_wr[t], &stop, sizeof stop) < 0) {} }
  /* 1: a step's result differs from the trace's (2 is this program's own failure, see die). */
  return differ ? 1 : 0;
}
