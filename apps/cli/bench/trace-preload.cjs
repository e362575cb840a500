// Preloaded (`node -r bench/trace-preload.cjs`) into a CLI run by bench/build-profile.mjs: when
// each HTTP request to the engine or a registry starts and its response ends, and each child
// process starts and exits, in ms since the process started, written as JSON to
// HLA_BENCH_TRACE at exit. Measurement only: it changes nothing the CLI does.
const { subscribe } = require('node:diagnostics_channel');
const { ChildProcess } = require('node:child_process');
const { writeFileSync } = require('node:fs');
const { performance } = require('node:perf_hooks');

const events = [];
const now = () => performance.now();
const started = new WeakMap();

// `at` the request starts, `headers` its response's head arrives, `end` the response's body ends.
subscribe('http.client.request.start', ({ request }) => {
  const event = {
    kind: 'http',
    what: `${request.method} ${request.path.split('?')[0]}`,
    at: now(),
  };
  started.set(request, event);
  request.once('response', (response) => {
    event.headers = now();
    response.once('end', () => {
      event.end = now();
      events.push(event);
    });
  });
});

const spawn = ChildProcess.prototype.spawn;
ChildProcess.prototype.spawn = function tracedSpawn(options) {
  const event = { kind: 'process', what: (options.args ?? []).join(' '), at: now() };
  this.once('exit', () => {
    event.end = now();
    events.push(event);
  });
  return spawn.call(this, options);
};

process.on('exit', () => {
  if (process.env.HLA_BENCH_TRACE) {
    writeFileSync(
      process.env.HLA_BENCH_TRACE,
      JSON.stringify({ events, exit: now(), loopStart: performance.nodeTiming.loopStart }),
    );
  }
});
