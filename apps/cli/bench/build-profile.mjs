// Where `hla-compass build` of a fresh module, and its push to a registry that has never seen it,
// spend their time beyond `docker build` and `docker push` (measurement only; bench/build-push.mjs
// has the ratios). Each round makes new modules with `hla-compass init`
// and builds one under bench/trace-preload.cjs (when each engine request and child process starts
// and ends, against the process's wall time) and another under `node --cpu-prof` (CPU by
// function; the profiler slows the run, so its wall time is not the bench's). Prints the median of
// each traced phase over the rounds, then the profile summary (bench/profile-summary.mjs).
// 7 rounds (BENCH_FRESH_RUNS): the start-up phases' medians moved by about 20 ms between runs.
// The push's profiles go to PROFILE_DIR/push.
// node bench/build-profile.mjs [PROFILE_DIR]
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BASE_IMAGE_TAG,
  ensureBaseImage,
  startDockerEngine,
  startRegistry,
} from '@hla-compass/testkit';
import { cliNode, cliUnderTest, dockerBenchEnv, median, timedRun } from './rows.mjs';

const runs = Number(process.env.BENCH_FRESH_RUNS ?? 7);
const cli = cliUnderTest();
const preload = fileURLToPath(new URL('trace-preload.cjs', import.meta.url));
const summary = fileURLToPath(new URL('profile-summary.mjs', import.meta.url));

const engine = await startDockerEngine();
const registry = await startRegistry();
const work = await mkdtemp(join(tmpdir(), 'hla-bench-build-profile-'));
const profileDir = process.argv[2] ?? join(work, 'profiles');
try {
  await ensureBaseImage(engine.dockerHost);
  await mkdir(join(profileDir, 'push'), { recursive: true });
  const env = dockerBenchEnv(work, engine);
  let modules = 0;
  /** A new module, built with `nodeArgs` before the CLI; returns its directory and the time. */
  const build = (nodeArgs, extraEnv = {}) => {
    const name = `profiled-module-${++modules}`;
    timedRun(cliNode, [cli, 'init', name], { cwd: work, env });
    const dir = join(work, name);
    const args = ['build', '--tag', `${registry.host}/your-org/${name}:1.0.0`];
    const ms = timedRun(cliNode, [...nodeArgs, cli, ...args, '--base-image', BASE_IMAGE_TAG], {
      cwd: dir,
      env: { ...env, ...extraEnv },
    });
    return { dir, ms };
  };
  const push = (dir, nodeArgs, extraEnv = {}) =>
    timedRun(cliNode, [...nodeArgs, cli, 'push'], {
      cwd: dir,
      env: { ...env, ...extraEnv },
    });
  // The registry gets the base image's layer before the rounds, as in build-push.mjs.
  push(build([]).dir, []);
  const traced = { build: { phases: new Map(), wall: [] }, push: { phases: new Map(), wall: [] } };
  const record = async (kind, ms, traceFile) => {
    const { phases, wall } = traced[kind];
    const add = (name, value) => phases.set(name, [...(phases.get(name) ?? []), value]);
    wall.push(ms);
    const trace = JSON.parse(await readFile(traceFile, 'utf8'));
    const first = Math.min(...trace.events.map((event) => event.at));
    add('node start to the first request or child process', first);
    const counts = new Map();
    for (const event of trace.events.sort((a, b) => a.at - b.at)) {
      // The same phase in every round: the module's path and the image's id named, not spelled.
      const same = event.what
        .replaceAll(work, 'WORK')
        .replace(/WORK\/profiled-module-\d+/, 'MODULE')
        .replace(/profiled-module-\d+/, 'MODULE')
        .replace(/sha256:[0-9a-f]{64}/, 'ID');
      const n = (counts.get(same) ?? 0) + 1;
      counts.set(same, n);
      const what = `${event.kind} ${same}${n > 1 ? ` #${n}` : ''}`;
      add(`${what}: starts at`, event.at);
      if (event.headers !== undefined)
        add(`${what}: response head after`, event.headers - event.at);
      add(`${what}: lasts`, event.end - event.at);
    }
    add('last event to exit', trace.exit - Math.max(...trace.events.map((event) => event.end)));
    add('process time seen by the CLI', trace.exit);
  };
  for (let i = 0; i < runs; i++) {
    const traceFile = join(work, `trace-${i}.json`);
    const preloaded = ['-r', preload];
    const built = build(preloaded, { HLA_BENCH_TRACE: traceFile });
    await record('build', built.ms, traceFile);
    await record('push', push(built.dir, preloaded, { HLA_BENCH_TRACE: traceFile }), traceFile);
    const profiled = build(['--cpu-prof', `--cpu-prof-dir=${profileDir}`]);
    push(profiled.dir, ['--cpu-prof', `--cpu-prof-dir=${join(profileDir, 'push')}`]);
  }
  for (const [kind, { phases, wall }] of Object.entries(traced)) {
    console.log(`hla-compass ${kind} of a fresh module, traced, medians of ${runs}`);
    console.log(
      `  wall time (as the bench times it)       ${median(wall).toFixed(1).padStart(7)} ms`,
    );
    for (const [name, values] of phases) {
      console.log(`  ${name.padEnd(60)} ${median(values).toFixed(1).padStart(7)} ms`);
    }
  }
  spawnSync(process.execPath, [summary, profileDir, '25'], { stdio: 'inherit' });
  spawnSync(process.execPath, [summary, join(profileDir, 'push'), '25'], { stdio: 'inherit' });
} finally {
  await Promise.all([registry.stop(), rm(work, { recursive: true, force: true })]);
  await engine.stop();
}
