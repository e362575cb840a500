// `hla-compass build` and `push` against the Docker CLI on the same engine, in the same run, runs
// interleaved so machine noise hits both alike: a rebuild of an unchanged module (vs `docker
// build` of the same generated Dockerfile and context), a build after a change to backend/ (vs
// `docker build` of the module with a plain COPY Dockerfile, the same change made before each
// run), and a push of an image the registry already has (vs `docker push` of it). Medians; the
// targets are 1.2×, about 1× and 1.5×. Loopback only: a test engine and a docker-registry.
import { spawnSync } from 'node:child_process';
import { appendFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BASE_IMAGE_TAG,
  ensureBaseImage,
  findExecutable,
  startDockerEngine,
  startRegistry,
} from '@hla-compass/testkit';

// 15 runs of the quick rows (about 0.1 s each): the median of 15 moves by a few percent between
// runs on a loaded 2-core machine; the changed-build rows cost seconds each, so 7.
const runs = Number(process.env.BENCH_RUNS ?? 15);
const changedRuns = Number(process.env.BENCH_CHANGED_RUNS ?? 7);
const cli = fileURLToPath(new URL('../dist/hla-compass.js', import.meta.url));
// The Node that runs the CLI: BENCH_NODE=/path/to/node measures it under another version (Node
// 22 and 24 start in about a third of Node 20's time, which the no-op rows are mostly made of).
const node = process.env.BENCH_NODE ?? process.execPath;

const engine = await startDockerEngine();
const registry = await startRegistry();
const work = await mkdtemp(join(tmpdir(), 'hla-bench-build-'));
try {
  await ensureBaseImage(engine.dockerHost);
  const docker = await findExecutable('docker');
  if (docker === undefined) throw new Error('the bench needs the Docker CLI (docker) on PATH');
  const env = {
    ...process.env,
    HOME: join(work, 'home'),
    HLA_COMPASS_CONFIG_DIR: join(work, 'config'),
    DOCKER_HOST: engine.dockerHost,
    DOCKER_CONFIG: join(work, 'docker'),
  };
  await mkdir(env.DOCKER_CONFIG, { recursive: true });
  const run = (program, args, cwd) => {
    const start = process.hrtime.bigint();
    const result = spawnSync(program, args, { cwd, env, encoding: 'utf8' });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.status !== 0) throw new Error(`${args.join(' ')}: ${result.stderr}`);
    return ms;
  };
  const hla = (args, cwd) => run(node, [cli, ...args], cwd);
  const dockerCli = (args, cwd) => run(docker, ['--host', engine.dockerHost, ...args], cwd);

  hla(['init', 'bench-module'], work);
  const dir = join(work, 'bench-module');
  const tag = `${registry.host}/your-org/bench-module:1.0.0`;
  const buildArgs = ['build', '--tag', tag, '--base-image', BASE_IMAGE_TAG];
  hla(buildArgs, dir);
  hla(['push'], dir);
  const copyDockerfile = join(work, 'Dockerfile.copy');
  await writeFile(
    copyDockerfile,
    `FROM ${BASE_IMAGE_TAG}\nWORKDIR /app\nCOPY manifest.json /app/manifest.json\nCOPY backend/ /app/backend/\nENV HLA_COMPASS_MODULE="backend.main:NoUIModule"\n`,
  );

  const rows = [];
  const measure = (name, count, pair) => {
    const ours = [];
    const theirs = [];
    pair.warm();
    for (let i = 0; i < count; i++) {
      theirs.push(pair.floor());
      ours.push(pair.cli());
    }
    rows.push({ name, count, ours: median(ours), floor: median(theirs), floorName: pair.name });
  };

  measure('build, unchanged module', runs, {
    name: 'docker build, same Dockerfile and context',
    warm: () => dockerCli(['build', '-q', '-t', tag, '-f', '.hla-compass/Dockerfile', '.'], dir),
    floor: () => dockerCli(['build', '-q', '-t', tag, '-f', '.hla-compass/Dockerfile', '.'], dir),
    cli: () => hla(buildArgs, dir),
  });
  let change = 0;
  const changeBackend = () => appendFile(join(dir, 'backend', 'main.py'), `# change ${++change}\n`);
  const changedCli = [];
  const changedDocker = [];
  for (let i = 0; i < changedRuns; i++) {
    await changeBackend();
    changedDocker.push(
      dockerCli(['build', '-q', '-t', `${tag}-copy`, '-f', copyDockerfile, '.'], dir),
    );
    await changeBackend();
    changedCli.push(hla(buildArgs, dir));
  }
  rows.push({
    name: 'build after a change to backend/',
    count: changedRuns,
    ours: median(changedCli),
    floor: median(changedDocker),
    floorName: 'docker build, COPY Dockerfile',
  });
  hla(['push'], dir);
  measure('push, image already there', runs, {
    name: 'docker push of it',
    warm: () => dockerCli(['push', tag], dir),
    floor: () => dockerCli(['push', tag], dir),
    cli: () => hla(['push'], dir),
  });

  const nodeStart = [];
  for (let i = 0; i < runs; i++) nodeStart.push(run(node, ['-e', '0'], work));
  const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
  console.log(
    `build and push against the Docker CLI on the same engine (medians, interleaved; Node ${version}, \`node -e 0\` ${median(nodeStart).toFixed(0)} ms)`,
  );
  for (const row of rows) {
    console.log(
      `  ${row.name.padEnd(34)} hla-compass ${row.ours.toFixed(0).padStart(6)} ms  ${row.floorName} ${row.floor.toFixed(0)} ms  ${(row.ours / row.floor).toFixed(2)}×  (n=${row.count})`,
    );
  }
} finally {
  await Promise.all([registry.stop(), rm(work, { recursive: true, force: true })]);
  await engine.stop();
}

function median(values) {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}
