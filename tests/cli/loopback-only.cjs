// Preloaded into the Trigger.dev CLI (NODE_OPTIONS=--require) so the test sends nothing off this
// machine: the CLI reports telemetry to PostHog and checks npm for updates on every `dev` run.
// Connections and DNS lookups to anything but loopback fail as "connection refused". The CLI
// itself is unmodified.
"use strict";
const net = require("node:net");
const dns = require("node:dns");

const loopback = new Set(["127.0.0.1", "::1", "localhost", "::ffff:127.0.0.1"]);
const blocked = (host) => {
  const e = new Error(`loopback-only: connection to ${host} blocked by the test`);
  e.code = "ECONNREFUSED";
  return e;
};

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  let opts = args[0];
  if (Array.isArray(opts)) opts = opts[0];
  let host;
  let isPath = false;
  if (opts && typeof opts === "object") {
    host = opts.host;
    isPath = typeof opts.path === "string";
  } else if (typeof opts === "string" && Number.isNaN(Number(opts))) {
    isPath = true;
  } else {
    host = typeof args[1] === "string" ? args[1] : "localhost";
  }
  if (!isPath && host !== undefined && !loopback.has(host)) {
    process.nextTick(() => this.destroy(blocked(host)));
    return this;
  }
  return connect.apply(this, args);
};

const lookup = dns.lookup;
dns.lookup = function (host, ...rest) {
  const cb = rest[rest.length - 1];
  if (!loopback.has(host) && typeof cb === "function") {
    process.nextTick(() => cb(blocked(host)));
    return {};
  }
  return lookup.call(this, host, ...rest);
};
const plookup = dns.promises.lookup;
dns.promises.lookup = async function (host, ...rest) {
  if (!loopback.has(host)) throw blocked(host);
  return plookup.call(this, host, ...rest);
};
