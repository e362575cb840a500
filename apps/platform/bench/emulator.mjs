// What the emulator's benchmarks share: the built bin started on a free port, a seed whose orgs
// allow a bench registry, the smallest manifest that publishes, and timed requests.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import http from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const packageDir = fileURLToPath(new URL('..', import.meta.url));
export const bin = join(packageDir, 'dist', 'bin.js');
export const DEVELOPER_KEY = 'hlc_ak_dev-only-your-org-developer';

/**
 * `hla-compass-platform start --port 0 --registry none ARGS`; resolves once it listens.
 * `nodeArgs` go to node itself (`--cpu-prof`, say).
 */
export function startEmulator(args, nodeArgs = []) {
  const child = spawn(
    process.execPath,
    [...nodeArgs, bin, 'start', '--port', '0', '--registry', 'none', ...args],
    {
      cwd: packageDir,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const match = /listening on (http:\/\/[\d.:]+)/.exec(output);
      if (match) {
        child.stdout.removeAllListeners('data');
        child.stdout.resume();
        resolve({
          url: match[1],
          stop: () =>
            new Promise((done) => {
              child.removeAllListeners('exit');
              child.once('exit', done);
              child.kill('SIGTERM');
            }),
        });
      }
    });
    child.once('exit', (code) => reject(new Error(`emulator exited (${code}):\n${output}`)));
  });
}

/** Writes `<dir>/seed.json`: the default seed with every org's allowlist on `registryHost`. */
export async function writeBenchSeed(dir, registryHost) {
  const seed = JSON.parse(readFileSync(join(packageDir, 'seed', 'default.json'), 'utf8'));
  for (const org of seed.orgs) org.allowlist = [`${registryHost}/${org.id}/*`];
  const seedFile = join(dir, 'seed.json');
  await writeFile(seedFile, JSON.stringify(seed));
  return seedFile;
}

export function manifest(name, version) {
  return {
    schemaVersion: '1.0',
    name,
    version,
    type: 'no-ui',
    execution: { entrypoint: 'backend.main:Module' },
    pricing: { tiers: [{ tier: 'developer', amountAct: 0 }] },
  };
}

/** One request over `agent`; resolves with its status, body text and time in ms. */
export function timedRequest(agent, url, method, path, body, headers = {}) {
  const target = new URL(url);
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = http.request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        method,
        path,
        headers: { 'content-type': 'application/json', 'x-api-key': DEVELOPER_KEY, ...headers },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () =>
          resolve({
            status: res.statusCode,
            text,
            ms: Number(process.hrtime.bigint() - started) / 1e6,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The `q` quantile of ascending `sorted` values. */
export const quantile = (sorted, q) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

export const median = (values) =>
  quantile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
