/* inflight repro, both forms: the prelude they share (traces/repro.ts and traces/repro-minimal.ts put it
 * first, each program is one self-contained file): headers and the raw io_uring ABI. */
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
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

/* Raw io_uring: no liburing, and the uapi headers may be older than the kernel. */
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
#ifndef __NR_close_range
#define __NR_close_range 436
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
#ifndef IORING_REGISTER_FILES_UPDATE
#define IORING_REGISTER_FILES_UPDATE 6
#endif
/* The uapi's mmap offsets, opcodes and SQE flag (values fixed since 5.1 / 5.6). */
#define RING_OFF_SQ_RING 0ULL
#define RING_OFF_CQ_RING 0x8000000ULL
#define RING_OFF_SQES 0x10000000ULL
#define IORING_OP_READ 22
#define IORING_OP_RECV 27
#define IOSQE_FIXED_FILE 1
/* struct io_uring_params (120 bytes) with its SQ/CQ offsets, an SQE (64 bytes), a CQE (16 bytes). */
struct ring_params {
  uint32_t sq_entries, cq_entries, flags, sq_thread_cpu, sq_thread_idle, features, wq_fd, resv[3];
  struct { uint32_t head, tail, ring_mask, ring_entries, flags, dropped, array, resv1; uint64_t user_addr; } sq_off;
  struct { uint32_t head, tail, ring_mask, ring_entries, overflow, cqes, flags, resv1; uint64_t user_addr; } cq_off;
};
struct ring_sqe {
  uint8_t opcode, flags; uint16_t ioprio; int32_t fd; uint64_t off, addr; uint32_t len, op_flags;
  uint64_t user_data; uint16_t buf_index, personality; int32_t splice_fd_in; uint64_t addr3, pad2;
};
struct ring_cqe { uint64_t user_data; int32_t res; uint32_t flags; };
