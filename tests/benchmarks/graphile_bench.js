// The graphile-worker 0.17.3 side of queue_bench (see queue_bench.cpp and queues.md §7).
// Each invocation performs one measurement and prints one JSON line on stdout.
//   node graphile_bench.js <mode> <connectionString> [options as JSON]
// modes: migrate | bulk | single | work | latency
"use strict";
const { run, runOnce, runMigrations, makeWorkerUtils } = require("graphile-worker");
const { Pool } = require("pg");

const [mode, connectionString, optsJson] = process.argv.slice(2);
const opts = Object.assign(
  { jobs: 20000, payload: "tiny", concurrency: 24, tuned: false, clients: 8, samples: 1000, warmup: 100 },
  optsJson ? JSON.parse(optsJson) : {}
);

const silentLogger = require("graphile-worker").Logger
  ? new (require("graphile-worker").Logger)(() => () => {})
  : undefined;

// ~1 KiB payload: an endpoint URL plus metadata, like an indexing job.
function payload(i) {
  if (opts.payload !== "kib") return { id: i };
  return {
    id: i,
    url: "https://endpoint-" + i + ".example.com/api/trigger",
    metadata: { environment: "production", project: "proj_" + (i % 97), note: "x".repeat(860) },
  };
}

function preset() {
  // "Tuned" is graphile's documented optimum (queues.md §6); otherwise graphile's defaults.
  const worker = { concurrentJobs: opts.concurrency, maxPoolSize: opts.concurrency + 1 };
  if (opts.tuned) {
    worker.localQueue = { size: 500, refetchDelay: { durationMs: 10 } };
    worker.completeJobBatchDelay = 0;
    worker.failJobBatchDelay = 0;
  }
  return { worker };
}

const nowMs = () => Number(process.hrtime.bigint()) / 1e6;

async function main() {
  const common = { connectionString, logger: silentLogger, noHandleSignals: true };
  if (mode === "migrate") {
    await runMigrations(common);
    return { ok: true };
  }
  if (mode === "bulk") {
    const utils = await makeWorkerUtils({ connectionString, logger: silentLogger });
    const specs = [];
    for (let i = 0; i < opts.jobs; i++) specs.push({ identifier: "bench", payload: payload(i) });
    const t0 = nowMs();
    await utils.addJobs(specs);
    const t1 = nowMs();
    await utils.release();
    return { jobs: opts.jobs, seconds: (t1 - t0) / 1000 };
  }
  if (mode === "single") {
    const pool = new Pool({ connectionString, max: opts.clients });
    const utils = await makeWorkerUtils({ pgPool: pool, logger: silentLogger });
    const per = Math.ceil(opts.jobs / opts.clients);
    const t0 = nowMs();
    await Promise.all(
      Array.from({ length: opts.clients }, async (_, c) => {
        for (let i = 0; i < per; i++) await utils.addJob("bench", payload(c * per + i));
      })
    );
    const t1 = nowMs();
    await utils.release();
    await pool.end();
    return { jobs: per * opts.clients, seconds: (t1 - t0) / 1000 };
  }
  if (mode === "work") {
    let done = 0;
    const taskList = {
      bench: async (p) => {
        if (typeof p.id !== "number") throw new Error("bad payload");
        done++;
      },
    };
    // Startup cost of a runOnce that finds nothing to do, subtracted as perfTest does.
    const s0 = nowMs();
    await runOnce({ ...common, preset: preset() }, { other: async () => {} });
    const startup = nowMs() - s0;
    const t0 = nowMs();
    await runOnce({ ...common, preset: preset() }, taskList);
    const t1 = nowMs();
    return { jobs: done, seconds: Math.max(1e-6, (t1 - t0 - startup) / 1000), startup_ms: startup };
  }
  if (mode === "latency") {
    let resolveStart = null;
    const taskList = {
      bench: async (p) => {
        const t = nowMs();
        if (typeof p.id !== "number") throw new Error("bad payload");
        if (resolveStart) resolveStart(t);
      },
    };
    const runner = await run({ ...common, preset: preset() }, taskList);
    const utils = await makeWorkerUtils({ connectionString, logger: silentLogger });
    const samples = [];
    await new Promise((r) => setTimeout(r, 200)); // idle
    for (let i = 0; i < opts.warmup + opts.samples; i++) {
      const started = new Promise((r) => (resolveStart = r));
      const t0 = nowMs();
      await utils.addJob("bench", payload(i));
      const t1 = await started;
      if (i >= opts.warmup) samples.push(t1 - t0);
      await new Promise((r) => setTimeout(r, 1)); // let completion settle: idle pickup
    }
    await utils.release();
    await runner.stop();
    samples.sort((a, b) => a - b);
    const pct = (q) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))];
    return { samples: samples.length, min: samples[0], p50: pct(0.5), p95: pct(0.95), p99: pct(0.99), max: samples[samples.length - 1] };
  }
  throw new Error("unknown mode " + mode);
}

main().then(
  (r) => {
    process.stdout.write(JSON.stringify(r) + "\n");
    process.exit(0);
  },
  (e) => {
    process.stderr.write(String(e && e.stack ? e.stack : e) + "\n");
    process.exit(1);
  }
);
