// Reads the .cpuprofile files `node --cpu-prof` wrote (one directory, one run each) and prints
// where the time goes, as the mean per run: the wall time the profile spans, idle and GC, self time
// by source (the CLI's bundle, its chunks, node's own modules) and the top functions by self and
// by total time; frames in the bundle are named by their original source through its source map
// (zod, packages/manifest/src/…, apps/cli/src/…). Measurement only.
// node bench/profile-summary.mjs DIR [TOP=15]
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const [dir, topArg] = process.argv.slice(2);
if (dir === undefined) throw new Error('usage: node bench/profile-summary.mjs DIR [TOP]');
const top = Number(topArg ?? 15);
const files = readdirSync(dir).filter((name) => name.endsWith('.cpuprofile'));
if (files.length === 0) throw new Error(`no .cpuprofile in ${dir}`);

const self = new Map();
const total = new Map();
const bySource = new Map();
const byOriginal = new Map();
const totalByOriginal = new Map();
const maps = new Map();
let wall = 0;
const add = (map, key, us) => map.set(key, (map.get(key) ?? 0) + us);
for (const file of files) {
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8'));
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  wall += profile.endTime - profile.startTime;
  profile.samples.forEach((id, index) => {
    const us = profile.timeDeltas[index + 1] ?? 0;
    const frame = nodes.get(id).callFrame;
    add(self, label(frame), us);
    add(bySource, source(frame), us);
    add(byOriginal, original(frame) ?? source(frame), us);
    const seen = new Set();
    for (let at = id; at !== undefined; at = parent.get(at)) {
      const callFrame = nodes.get(at).callFrame;
      const key = label(callFrame);
      if (!seen.has(key)) add(total, key, us);
      seen.add(key);
      const file = original(callFrame);
      if (file !== undefined && !seen.has(`file ${file}`)) add(totalByOriginal, file, us);
      seen.add(`file ${file}`);
    }
  });
}

const ms = (us) => `${(us / files.length / 1000).toFixed(1).padStart(7)} ms`;
console.log(`${files.length} profiles in ${dir}: ${ms(wall)} profiled per run (mean)`);
const print = (title, map) => {
  console.log(title);
  for (const [key, us] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
    console.log(`  ${ms(us)}  ${key}`);
  }
};
print('self time by source', bySource);
print('self time by original source (through the source maps)', byOriginal);
print('total time by original source (its frames and what they call)', totalByOriginal);
print('self time by function', self);
print('total time by function (the frame and what it calls)', total);

function label(frame) {
  const name = frame.functionName || '(anonymous)';
  if (frame.url === '') return name;
  const at = original(frame);
  return `${name} ${shortUrl(frame.url)}:${frame.lineNumber + 1}${at === undefined ? '' : ` (${at})`}`;
}

/** The frame's original file (a package's name for node_modules), from the bundle's source map. */
function original(frame) {
  if (!frame.url.startsWith('file:')) return undefined;
  const map = sourceMapOf(fileURLToPath(frame.url));
  const entry = map?.findEntry(frame.lineNumber, frame.columnNumber);
  const path = entry?.originalSource;
  if (path === undefined) return undefined;
  const modules = path.lastIndexOf('node_modules/');
  if (modules !== -1) {
    const parts = path.slice(modules + 'node_modules/'.length).split('/');
    return parts.slice(0, parts[0]?.startsWith('@') ? 2 : 1).join('/');
  }
  return path.replace(/^(\.\.\/)+/, '');
}

function sourceMapOf(file) {
  if (!maps.has(file)) {
    const path = `${file}.map`;
    maps.set(
      file,
      existsSync(path) ? new SourceMap(JSON.parse(readFileSync(path, 'utf8'))) : undefined,
    );
  }
  return maps.get(file);
}

function source(frame) {
  if (frame.url === '') return frame.functionName;
  if (frame.url.startsWith('node:')) return frame.url;
  return shortUrl(frame.url);
}

function shortUrl(url) {
  const at = url.indexOf('/dist/');
  return at === -1 ? basename(url) : url.slice(at + 1);
}
