// A loopback stand-in for the npm registry, for the CLI's "are @trigger.dev packages outdated?"
// check (npm-check-updates): it answers that the pinned version is the latest, so the unmodified
// CLI runs its dev command without touching the network. usage: node fake-registry.cjs PORT_FILE
"use strict";
const http = require("node:http");
const fs = require("node:fs");
const pinned = "2.3.19";
const server = http.createServer((req, res) => {
  const name = decodeURIComponent(req.url.split("?")[0].slice(1));
  const body = JSON.stringify({
    name,
    "dist-tags": { latest: pinned },
    versions: { [pinned]: { name, version: pinned } },
    time: { [pinned]: "2024-01-01T00:00:00.000Z", modified: "2024-01-01T00:00:00.000Z" },
  });
  res.writeHead(200, { "content-type": "application/json" });
  res.end(body);
});
server.listen(0, "127.0.0.1", () => fs.writeFileSync(process.argv[2], String(server.address().port)));
process.on("SIGTERM", () => process.exit(0));
