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

export const syscalls: { readonly [N in SyscallName]: Syscall<N> } = {
  open, close, dup, fork, exit, exec, socketpair, sendmsg, recvmsg,
  io_uring_setup, io_uring_register, io_uring_unregister, unix_gc,
};
