// .hla-compass/build.json as build writes it, push updates it and publish reads it: a round trip,
// and every way a file that is not such a record is refused.
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  type BuildRecord,
  parseBuildRecord,
  readBuildRecord,
  recordPush,
  writeBuildRecord,
} from '../src/build-record.js';
import { UsageError } from '../src/errors.js';

const built: BuildRecord = {
  version: 1,
  imageRef: '127.0.0.1:5000/your-org/scorer:1.0.0',
  imageId: `sha256:${'1'.repeat(64)}`,
  digest: null,
  pushed: false,
  platform: 'linux/amd64',
  manifestDigest: `sha256:${'2'.repeat(64)}`,
  moduleLayer: `sha256:${'4'.repeat(64)}`,
  inputsDigest: `sha256:${'5'.repeat(64)}`,
  reuse: null,
  builtAt: '2026-01-02T03:04:05.000Z',
  pushedAt: null,
};

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hla-record-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('build.json', () => {
  it('is absent until a build writes it, then reads back as written', async () => {
    expect(await readBuildRecord(dir)).toBeUndefined();
    await writeBuildRecord(dir, built);
    expect(await readBuildRecord(dir)).toEqual(built);
    expect(await readdir(join(dir, '.hla-compass'))).toEqual(['build.json']);
  });

  it('keeps what an unchanged build needs to answer again, and refuses a malformed one', async () => {
    const reuse = {
      stamp: `sha256:${'6'.repeat(64)}`,
      baseImage: 'hla-compass-test/base:1',
      baseImageId: `sha256:${'7'.repeat(64)}`,
      tags: ['127.0.0.1:5000/your-org/scorer:1.0.0'],
      created: '1970-01-01T00:00:00.000Z',
      createdFrom: 'content',
      warnings: ['frontend/dist/ not found'],
    };
    await writeBuildRecord(dir, { ...built, reuse });
    expect((await readBuildRecord(dir))?.reuse).toEqual(reuse);
    await writeFile(
      join(dir, '.hla-compass', 'build.json'),
      JSON.stringify({ ...built, reuse: { ...reuse, tags: 'one' } }),
    );
    await expect(readBuildRecord(dir)).rejects.toThrow(/"reuse.tags" is not a list of strings/);
  });

  it('reads a record written before moduleLayer, inputsDigest and reuse existed as not knowing them', async () => {
    const { moduleLayer: _layer, inputsDigest: _inputs, reuse: _reuse, ...older } = built;
    await mkdir(join(dir, '.hla-compass'));
    await writeFile(join(dir, '.hla-compass', 'build.json'), JSON.stringify(older));
    expect(await readBuildRecord(dir)).toEqual({
      ...built,
      moduleLayer: null,
      inputsDigest: null,
      reuse: null,
    });
  });

  it('records a push: the ref pushed, the digest and when', async () => {
    const digest = `sha256:${'3'.repeat(64)}`;
    const pushed = recordPush(built, {
      imageRef: '127.0.0.1:5000/your-org/scorer:1.0.0',
      digest,
      at: new Date('2026-01-02T03:05:00.000Z'),
    });
    await writeBuildRecord(dir, pushed);
    expect(await readBuildRecord(dir)).toEqual({
      ...built,
      digest,
      pushed: true,
      pushedAt: '2026-01-02T03:05:00.000Z',
    });
  });

  it.each([
    ['not JSON', '{"version": 1,', /it is not JSON/],
    ['an array', '[]', /not a JSON object/],
    ['another version', JSON.stringify({ ...built, version: 2 }), /its version is 2/],
    ['no version', JSON.stringify({ imageRef: 'x' }), /its version is missing/],
    ['a bad image id', JSON.stringify({ ...built, imageId: 'abc' }), /"imageId"/],
    ['an untagged ref', JSON.stringify({ ...built, imageRef: 'ghcr.io/x/y' }), /"imageRef"/],
    ['a pushed record without digest', JSON.stringify({ ...built, pushed: true }), /"digest"/],
    ['a digest but not pushed', JSON.stringify({ ...built, digest: built.imageId }), /not pushed/],
    ['a bad time', JSON.stringify({ ...built, builtAt: 'yesterday' }), /"builtAt" is not a time/],
  ])('refuses %s with a usage error that says to build again', async (_, text, reason) => {
    await mkdir(join(dir, '.hla-compass'));
    await writeFile(join(dir, '.hla-compass', 'build.json'), text);
    const read = readBuildRecord(dir);
    await expect(read).rejects.toThrow(UsageError);
    await expect(read).rejects.toThrow(reason);
    await expect(read).rejects.toMatchObject({
      code: 'BUILD_RECORD_INVALID',
      hint: 'delete .hla-compass/build.json and run `hla-compass build` again',
    });
  });

  it('never writes a record it would refuse to read', async () => {
    await expect(writeBuildRecord(dir, { ...built, platform: 'amd64' })).rejects.toThrow(
      /"platform"/,
    );
    expect(() => parseBuildRecord({ ...built, pushed: 'yes' })).toThrow(/"pushed"/);
  });
});
