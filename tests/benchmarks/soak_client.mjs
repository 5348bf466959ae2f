// The soak's client: POST /api/v1/endpoints `total` times over `concurrency` keep-alive
// connections to the daemon on loopback, printing progress every 10 s and a summary line.
// usage: node soak_client.mjs PORT KEY ENDPOINT_URL SLUG TOTAL CONCURRENCY
import http from "node:http";

const [port, key, endpointUrl, slug, totalText, concurrencyText] = process.argv.slice(2);
const total = Number(totalText);
const concurrency = Number(concurrencyText);
const body = JSON.stringify({ url: endpointUrl, id: slug });
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
let sent = 0;
let ok = 0;
let failed = 0;
const statuses = new Map();
const started = Date.now();

function create() {
  return new Promise((resolve) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port: Number(port),
        path: "/api/v1/endpoints",
        method: "POST",
        agent,
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(body),
          authorization: `Bearer ${key}`,
        },
      },
      (res) => {
        res.resume();
        res.on("end", () => {
          if (res.statusCode === 200) ok++;
          else {
            failed++;
            statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
          }
          resolve();
        });
      },
    );
    req.setTimeout(30000, () => req.destroy(new Error("timeout")));
    req.on("error", (e) => {
      failed++;
      statuses.set(e.code ?? e.message, (statuses.get(e.code ?? e.message) ?? 0) + 1);
      resolve();
    });
    req.end(body);
  });
}

// A loop per connection (not a promise chain, which would hold every settled promise).
async function worker() {
  while (sent < total) {
    sent++;
    await create();
  }
}

const progress = setInterval(() => {
  const s = (Date.now() - started) / 1000;
  console.log(`client: ${s.toFixed(0)} s, ${ok} created, ${failed} failed, ${(ok / s).toFixed(0)}/s`);
}, 10000);
await Promise.all(Array.from({ length: concurrency }, worker));
clearInterval(progress);
const s = (Date.now() - started) / 1000;
console.log(
  `client done: ${ok} created, ${failed} failed in ${s.toFixed(0)} s (${(ok / s).toFixed(0)}/s)` +
    (statuses.size ? `; failures: ${JSON.stringify([...statuses])}` : ""),
);
agent.destroy();
process.exit(failed === 0 ? 0 : 1);
