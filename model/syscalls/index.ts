// Every syscall of the model, in the order the checker tries them.
import type { SyscallName } from '../bounds.js';
import type { Syscall } from '../step.js';
import { open } from './open.js';
import { close } from './close.js';
import { dup } from './dup.js';
import { fork } from './fork.js';
import { exit } from './exit.js';
import { exec } from './exec.js';
import { socketpair } from './socketpair.js';
import { sendmsg } from './sendmsg.js';
import { recvmsg } from './recvmsg.js';
import { io_uring_setup } from './io_uring_setup.js';
import { io_uring_register } from './io_uring_register.js';
import { io_uring_unregister } from './io_uring_unregister.js';
import { unix_gc } from './unix_gc.js';
import { socket } from './socket.js';
import { listen } from './listen.js';
import { connect } from './connect.js';
import { accept } from './accept.js';
import { io_uring_update } from './io_uring_update.js';
import { io_uring_enter } from './io_uring_enter.js';
import { resume } from './resume.js';
import { io_wq } from './io_wq.js';
import { io_ring_exit } from './io_ring_exit.js';
import { setsockopt } from './setsockopt.js';

export const syscalls: { readonly [N in SyscallName]: Syscall<N> } = {
  open, close, dup, fork, exit, exec, socketpair, socket, listen, connect, accept, sendmsg, recvmsg,
  io_uring_setup, io_uring_register, io_uring_update, io_uring_unregister, io_uring_enter, resume,
  unix_gc, io_wq, io_ring_exit, setsockopt,
};
