/* inflight repro, part 1 of 3: headers, constants and the types of the trace's tables. The generator
 * (traces/repro.ts) puts prelude.c before it and appends the tables (numbers it has checked, strings as octal escapes), then body.c. */

/* Executor fds stay far above the model's: control pipes at 600.., pidfds at 650.., canary read ends at 700... */
#define CTL_BASE 600
#define PIDFD_BASE 650
#define CANARY_BASE 700
#define SCM_MAX_FD 253
/* A trace's fd that is outside the model's fd table (the model answers EBADF): the kernel is given
 * FAR_FD instead, an fd number no process here has open, never one of this program's own fds. */
#define FD_OUTSIDE (-2)
#define FAR_FD 0x7fffffff
/* A slot or offset too large for the kernel's 32-bit fields: one past any table. */
#define FAR_INDEX 0x7fffffff
/* Helpers a given trace may not need. */
#define HELPER static __attribute__((unused))

enum kind { K_OPEN, K_CLOSE, K_DUP, K_FORK, K_EXIT, K_EXEC, K_SOCKETPAIR, K_SENDMSG, K_RECVMSG,
            K_IO_URING_SETUP, K_IO_URING_REGISTER, K_IO_URING_UNREGISTER, K_UNIX_GC,
            K_SOCKET, K_BIND, K_LISTEN, K_CONNECT, K_ACCEPT, K_IO_URING_UPDATE, K_RESUME,
            K_IO_URING_ENTER, K_IO_WQ, K_IO_RING_EXIT, K_SETSOCKOPT };
/* SO_PASSRIGHTS (asm-generic, x86: 83; 6.16, 77cbe1a6d873): older uapi headers lack it, older kernels
 * answer ENOPROTOOPT. */
#define SO_PASSRIGHTS_ 83
/* O_EMBRYO: the server side of a connection (connect's unix_create1), no inode until accepted. */
enum objkind { O_CANARY, O_UNIX, O_RING, O_EMBRYO };

/* One step: what to make, and the design's result to compare with. Only numbers and string literals:
 * the code that makes each kind of step is in body.c.
 *  ret/err/fds: the design's result of this step (a pending step: the call is still in progress);
 *  recorded: what the trace file recorded, when it is not the design's result (NULL when it is);
 *  pending/until: the call is still in progress after this step, and returns at step `until`;
 *  from: for a resume, the step where the call was made whole; for a later GC phase, the run's first step;
 *  gc_run: a unix_gc step where the coordinator runs the GC (a whole run, or a phased run's start);
 *  fd: a model fd number (FD_OUTSIDE: outside the model's table); addr: bind's and connect's address;
 *  flag: stream (socket, socketpair), MSG_PEEK (recvmsg), MSG_OOB (sendmsg), IOSQE_FIXED_FILE (enter);
 *  op: io_uring_enter's opcode; target: its fd (model fd) or slot; offset: FILES_UPDATE's first slot;
 *  list: SCM_RIGHTS (sendmsg), the files (register, update; -1 clears a slot), the fds the design
 *  installs (recvmsg, socketpair);  obj: the objects the step creates (-1: none). */
struct trace_step {
  const char *text; const char *recorded;
  int task, kind;
  int ret; const char *err; int nfds; const int *fds;
  int pending, from, until, gc_run;
  int fd, addr, flag, op, target, offset;
  int nlist; const int *list;
  int obj[2];
};
struct object {
  const char *name; int kind; int step; int model_released;
  int canary_rd;         /* coordinator's copy of a canary's read end */
  unsigned long ino;     /* a unix socket's inode */
  int released;
};
struct reply {
  int ret, err, nfds, ctrunc;
  int fds[16];
  int obj[2];            /* objects created by the step */
  unsigned long ino[2];  /* their inodes (unix sockets) */
  int canary_rd;         /* the worker's read end of a new canary */
  int child_pid;         /* fork: the child's pid */
  int enter_ret;         /* io_uring_enter: what the call returned (ret is the result compared) */
  int has_cqe, cqe_res;  /* io_uring_enter: the SQE's CQE, when it was posted before the call returned */
  int not_made;          /* fork: the design fails this fork, so no process was made */
};
