// A lock between the processes that share a config dir, held around a session refresh: a refresh
// token is single use, so of two commands that find the same expired session only one should
// trade it; the other waits, then uses the tokens the first stored. The lock is a file created
// exclusively (O_EXCL) beside the credentials file, naming its owner (pid, host, start time). A
// lock whose owner is gone (same host, no such process) or that is older than any refresh can
// take is stale and is broken. The wait is bounded: past it, or when no lock file can be written
// (a full disk, a read-only dir), the refresh goes ahead without the lock, which the platform's
// grace window for a just-rotated refresh token makes harmless.
import { randomBytes } from 'node:crypto';
import { link, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';

export interface RefreshLockOptions {
  /** How long to wait for another process's lock before going ahead without one. */
  readonly waitMs: number;
  /** A lock held longer than this is stale, whoever holds it (its owner hangs, or its pid was reused). */
  readonly staleMs: number;
  /** Told once when another process holds the lock and this one waits. */
  readonly onWait?: (owner: LockOwner) => void;
  readonly pollMs?: number;
}

export interface LockOwner {
  readonly pid: number;
  readonly host: string;
  /** Epoch milliseconds. */
  readonly createdAt: number;
  /** Tells this lock from a later one of the same process. */
  readonly nonce: string;
}

export type RefreshLock =
  | { readonly held: true; release(): Promise<void> }
  | { readonly held: false; readonly reason: string; release(): Promise<void> };

/**
 * A lock file whose content cannot be read as an owner is one being written right now, or one a
 * crash left half-written: after this long it is the latter.
 */
const UNREADABLE_LOCK_STALE_MS = 2_000;
const DEFAULT_POLL_MS = 50;

/** Takes the lock at `path`, waiting for its holder as long as `options.waitMs` allows. */
export async function acquireRefreshLock(
  path: string,
  options: RefreshLockOptions,
): Promise<RefreshLock> {
  try {
    return await waitForLock(path, options);
  } catch (error) {
    // A lock dir this process cannot read: no worse than no lock at all.
    return unheld(`cannot use ${path}: ${describe(error)}`);
  }
}

async function waitForLock(path: string, options: RefreshLockOptions): Promise<RefreshLock> {
  const deadline = Date.now() + options.waitMs;
  let told = false;
  for (;;) {
    const owner: LockOwner = {
      pid: process.pid,
      host: hostname(),
      createdAt: Date.now(),
      nonce: randomBytes(8).toString('hex'),
    };
    const created = await create(path, owner);
    if (created === 'created') return { held: true, release: () => release(path, owner) };
    if (created !== 'exists') return unheld(`cannot create ${path}: ${created.failed}`);

    const current = await readLock(path);
    if (current === undefined) continue; // released in between: try again at once
    if (isStale(current, options.staleMs)) {
      await breakStale(path, current);
      continue;
    }
    if (Date.now() >= deadline) {
      return unheld(`${path} is still held after ${Math.round(options.waitMs / 1000)} s`);
    }
    if (!told && current.owner !== undefined) {
      told = true;
      options.onWait?.(current.owner);
    }
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? DEFAULT_POLL_MS));
  }
}

function unheld(reason: string): RefreshLock {
  return { held: false, reason, release: async () => undefined };
}

/** 'created', 'exists', or why no lock file can be written here. */
async function create(
  path: string,
  owner: LockOwner,
): Promise<'created' | 'exists' | { failed: string }> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'wx', 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return 'exists';
    return { failed: describe(error) };
  }
  try {
    try {
      await handle.writeFile(`${JSON.stringify(owner)}\n`);
    } finally {
      await handle.close();
    }
    return 'created';
  } catch (error) {
    // Not a lock anyone could judge: gone again, so it blocks no one (a full disk gets here).
    await rm(path, { force: true });
    return { failed: describe(error) };
  }
}

interface LockFile {
  /** Undefined while the file is being written, or when it is not a lock of ours. */
  readonly owner?: LockOwner;
  readonly text: string;
  readonly modifiedAt: number;
}

async function readLock(path: string): Promise<LockFile | undefined> {
  try {
    const [text, stats] = await Promise.all([readFile(path, 'utf8'), stat(path)]);
    const owner = parseOwner(text);
    return owner === undefined
      ? { text, modifiedAt: stats.mtimeMs }
      : { owner, text, modifiedAt: stats.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function parseOwner(text: string): LockOwner | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockOwner>;
    if (
      typeof value.pid === 'number' &&
      typeof value.host === 'string' &&
      typeof value.createdAt === 'number' &&
      typeof value.nonce === 'string'
    ) {
      return value as LockOwner;
    }
  } catch {
    // Half-written or not ours: judged by its age.
  }
  return undefined;
}

function isStale(lock: LockFile, staleMs: number): boolean {
  const { owner } = lock;
  if (owner === undefined) return Date.now() - lock.modifiedAt > UNREADABLE_LOCK_STALE_MS;
  if (Date.now() - owner.createdAt > staleMs) return true;
  // A pid means something on its own host only; elsewhere the age alone decides.
  return owner.host === hostname() && !isAlive(owner.pid);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists, it is someone else's.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes a stale lock, and only that one: it is first renamed aside (atomic, so of two processes
 * breaking it only one gets it), then checked to be the lock judged stale. Another process may
 * have broken it and taken a fresh lock in between; that one is put back where it was, unless a
 * third took the place meanwhile (then two refresh at once, which the platform's grace absorbs).
 */
async function breakStale(path: string, stale: LockFile): Promise<void> {
  const aside = `${path}.${randomBytes(6).toString('hex')}.stale`;
  try {
    await rename(path, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    const moved = await readLock(aside);
    if (moved !== undefined && moved.text !== stale.text) {
      await link(aside, path).catch(() => undefined);
    }
  } finally {
    await rm(aside, { force: true });
  }
}

/** Removes the lock if it is still this owner's (not broken as stale and taken by another). */
async function release(path: string, owner: LockOwner): Promise<void> {
  const current = await readLock(path).catch(() => undefined);
  if (current?.owner?.nonce === owner.nonce) await rm(path, { force: true });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
