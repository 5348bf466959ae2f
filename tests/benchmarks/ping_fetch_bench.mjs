// Node's fetch side of ping_throughput_bench: the same PING request, the same concurrency, the
// same server. Usage: node ping_fetch_bench.mjs <url> <concurrency> <duration-ms>
// Prints one line: rps p50_us p99_us ok_count error_count
const [url, concArg, durArg] = process.argv.slice(2);
const concurrency = Number(concArg ?? 64);
const durationMs = Number(durArg ?? 3000);

const headers = {
  "x-trigger-api-key": "tr_dev_bench_key",
  "x-trigger-action": "PING",
  "x-trigger-endpoint-id": "bench",
  "x-trigger-version": "2023-09-29",
  accept: "application/json",
};

async function ping() {
  const res = await fetch(url, { method: "POST", headers });
  const text = await res.text();
  return res.status === 200 && text === '{"ok":true}';
}

async function run(until, record) {
  const lat = [];
  let errors = 0;
  const workers = [];
  for (let i = 0; i < concurrency; i++) {
    workers.push(
      (async () => {
        while (performance.now() < until) {
          const t0 = performance.now();
          let ok = false;
          try {
            ok = await ping();
          } catch {
            ok = false;
          }
          const t1 = performance.now();
          if (!ok) errors++;
          else if (record) lat.push((t1 - t0) * 1000);
        }
      })(),
    );
  }
  await Promise.all(workers);
  return { lat, errors };
}

await run(performance.now() + 1000, false); // warm-up: opens the connections, lets the JIT settle
const start = performance.now();
const { lat, errors } = await run(start + durationMs, true);
const elapsed = (performance.now() - start) / 1000;
lat.sort((a, b) => a - b);
const p = (q) => (lat.length ? lat[Math.min(lat.length - 1, Math.floor(lat.length * q))] : 0);
console.log(`${(lat.length / elapsed).toFixed(1)} ${p(0.5).toFixed(1)} ${p(0.99).toFixed(1)} ${lat.length} ${errors}`);
