// The refresh lock on real files: one holder at a time, waiters go on when it is released, a lock
// left by a dead process or held too long is broken, a half-written one too, and the wait is
// bounded. Cross-process behaviour is in refresh-faults.test.ts, with the built CLI.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireRefreshLock } from '../src/platform/refresh-lock.js';

let dir: string;
let lockPath: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hla-refresh-lock-'));
  lockPath = join(dir, 'dev.json.lock');
});
afterEach(() => rm(dir, { recursive: true, force: true }));

const options = { waitMs: 5_000, staleMs: 60_000, pollMs: 10 };

/** A pid that surely belongs to no running process: a child that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid ?? 0;
}

describe('refresh lock', () => {
  it('is held by one at a time; the next takes it once the first releases it', async () => {
    const first = await acquireRefreshLock(lockPath, options);
    expect(first.held).toBe(true);
    const owner = JSON.parse(await readFile(lockPath, 'utf8'));
    expect(owner).toMatchObject({ pid: process.pid, host: hostname() });
    let waited = false;
    const second = acquireRefreshLock(lockPath, { ...options, onWait: () => (waited = true) });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(waited).toBe(true);
    await first.release();
    const next = await second;
    expect(next.held).toBe(true);
    await next.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it('breaks a lock whose process is gone', async () => {
    const stale = { pid: await deadPid(), host: hostname(), createdAt: Date.now(), nonce: 'x' };
    await writeFile(lockPath, JSON.stringify(stale));
    const lock = await acquireRefreshLock(lockPath, options);
    expect(lock.held).toBe(true);
    expect(JSON.parse(await readFile(lockPath, 'utf8')).pid).toBe(process.pid);
    await lock.release();
    expect(await readdir(dir)).toEqual([]);
  });

  it('breaks a lock held longer than any refresh takes, even by a live process', async () => {
    const old = { pid: process.pid, host: hostname(), createdAt: Date.now() - 120_000, nonce: 'y' };
    await writeFile(lockPath, JSON.stringify(old));
    const lock = await acquireRefreshLock(lockPath, options);
    expect(lock.held).toBe(true);
    await lock.release();
  });

  it('judges a lock of another host by its age only', async () => {
    const elsewhere = { pid: 1, host: 'another-host', createdAt: Date.now(), nonce: 'z' };
    await writeFile(lockPath, JSON.stringify(elsewhere));
    const lock = await acquireRefreshLock(lockPath, { ...options, waitMs: 300 });
    expect(lock).toMatchObject({ held: false });
    if (!lock.held) expect(lock.reason).toContain('still held after');
    // Still theirs: not removed by the one that gave up waiting.
    expect(JSON.parse(await readFile(lockPath, 'utf8')).host).toBe('another-host');
  });

  it('breaks a half-written lock once it is clearly not being written any more', async () => {
    await writeFile(lockPath, '');
    const past = new Date(Date.now() - 10_000);
    await utimes(lockPath, past, past);
    const lock = await acquireRefreshLock(lockPath, options);
    expect(lock.held).toBe(true);
    await lock.release();
  });

  it('gives up waiting after waitMs and says why, without taking the lock', async () => {
    const holder = await acquireRefreshLock(lockPath, options);
    const started = Date.now();
    const waiter = await acquireRefreshLock(lockPath, { ...options, waitMs: 200 });
    expect(waiter.held).toBe(false);
    expect(Date.now() - started).toBeLessThan(5_000);
    await waiter.release();
    expect(JSON.parse(await readFile(lockPath, 'utf8')).pid).toBe(process.pid);
    await holder.release();
  });

  it('does not release a lock that is no longer its own', async () => {
    const lock = await acquireRefreshLock(lockPath, options);
    const other = { pid: process.pid, host: hostname(), createdAt: Date.now(), nonce: 'other' };
    await writeFile(lockPath, JSON.stringify(other));
    await lock.release();
    expect(JSON.parse(await readFile(lockPath, 'utf8')).nonce).toBe('other');
  });

  it('goes on without a lock where none can be created', async () => {
    const lock = await acquireRefreshLock(join(dir, 'missing', 'dev.json.lock'), options);
    expect(lock.held).toBe(false);
    if (!lock.held) expect(lock.reason).toMatch(/ENOENT/);
  });
});
