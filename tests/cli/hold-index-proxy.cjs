// A loopback proxy in front of the SDK app that holds the first INDEX_ENDPOINT request (for the
// kill -9 test: the daemon running that index dies while it waits). Every other request, and the
// held one's successors, pass through at once.
// usage: node hold-index-proxy.cjs PORT_FILE TARGET_PORT HELD_FILE
const http = require("http");
const fs = require("fs");
const [portFile, targetPort, heldFile] = process.argv.slice(2);
let held = false;
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const forward = () => {
      const up = http.request(
        { host: "127.0.0.1", port: Number(targetPort), method: req.method, path: req.url, headers: req.headers },
        (r) => {
          res.writeHead(r.statusCode, r.headers);
          r.pipe(res);
        },
      );
      up.on("error", () => { res.writeHead(502); res.end(); });
      up.end(Buffer.concat(chunks));
    };
    if (!held && req.headers["x-trigger-action"] === "INDEX_ENDPOINT") {
      held = true;
      fs.writeFileSync(heldFile, "held\n");
      return; // never answered: the daemon that sent it is killed meanwhile
    }
    forward();
  });
});
server.listen(0, "127.0.0.1", () => fs.writeFileSync(portFile, String(server.address().port)));
setTimeout(() => process.exit(0), 600000).unref();
