// Helpers for guards and explorers: reading fd tables, allocating files.
import type { Draft } from 'immer';
import { FD_BASE, liveFileCount, lowestFreeSlots, type File, type FileId, type TaskId, type World } from '../world.js';
import { err, ok, type Result } from '../step.js';

/** The open fd numbers of a task, ascending. */
export function openFds(w: World, t: TaskId): number[] {
  const out: number[] = [];
  const task = w.tasks[t];
  if (!task || !task.alive) return out;
  task.fds.forEach((s, i) => { if (s) out.push(i + FD_BASE); });
  return out;
}

/** The file behind fd, or undefined when fd is not open in task t. */
export function fileOf(w: World, t: TaskId, fd: number): File | undefined {
  const slot = w.tasks[t]?.fds[fd - FD_BASE];
  return slot ? w.files[slot.file] : undefined;
}
export function fileIdOf(w: World, t: TaskId, fd: number): FileId | undefined {
  return w.tasks[t]?.fds[fd - FD_BASE]?.file;
}

export const taskAlive = (w: World, t: TaskId): boolean => w.tasks[t]?.alive === true;

/** The lowest n free fd numbers of task t, or undefined when fewer are free (EMFILE). */
export function freeFds(w: World, t: TaskId, n: number): number[] | undefined {
  const slots = lowestFreeSlots(w.tasks[t]!, n);
  return slots.length < n ? undefined : slots.map((s) => s + FD_BASE);
}

/** The guard of a call that creates one file at the lowest free fd (open, io_uring_setup): not
 *  possible beyond the files bound, EMFILE with a full table. */
export function guardNewFile(w: World, t: TaskId, files: number): Result | undefined {
  if (!taskAlive(w, t) || liveFileCount(w) >= files) return undefined;
  const fds = freeFds(w, t, 1);
  return fds ? ok(fds[0]) : err('EMFILE');
}
export const canCreateFile = (w: World, t: TaskId, files: number): boolean => liveFileCount(w) < files && freeFds(w, t, 1) !== undefined;

/** Multisets of size 1..max drawn from `items` (nondecreasing index sequences), in a fixed order. */
export function multisets(items: readonly number[], max: number): number[][] {
  const out: number[][] = [];
  const rec = (start: number, acc: number[]): void => {
    if (acc.length > 0) out.push(acc.slice());
    if (acc.length === max) return;
    for (let i = start; i < items.length; i++) { acc.push(items[i]!); rec(i, acc); acc.pop(); }
  };
  rec(0, []);
  return out;
}

/** Allocates a struct file with f_count 1 and returns its id (ids are never reused). */
export function allocFile(w: Draft<World>, file: File): FileId {
  w.files.push(file as Draft<File>);
  return w.files.length - 1;
}

/** fd_install: the reference is already taken by the caller. */
export function installFd(w: Draft<World>, t: TaskId, fd: number, file: FileId, cloexec: boolean): void {
  w.tasks[t]!.fds[fd - FD_BASE] = { file, cloexec };
}
