// A partitioning TCP proxy for swarm tests (loopback only).
// Usage: node faultproxy.js PORT_FILE HOST=GROUP...
// Each HOST is a node's own loopback address (127.x.y.z). For each, the
// proxy listens on 127.0.0.1:Q (a free port) and forwards to HOST:Q, where
// the node listens; the node advertises 127.0.0.1:Q. PORT_FILE gets one
// "HOST Q" line per node. Nodes dial loopback peers from their own listen
// address (node/swarm.c), so a connection's source tells which node made
// it. SIGUSR1 partitions: connections between nodes of different GROUPs
// (or from an unknown source) are destroyed, and new ones refused, until
// SIGUSR2 heals. Connections within a group are left alone.
'use strict';
const net = require('net');
const fs = require('fs');

const [portFile, ...specs] = process.argv.slice(2);
if (!portFile || specs.length === 0) {
  console.error('usage: faultproxy.js PORT_FILE HOST=GROUP...');
  process.exit(2);
}
const groupOf = new Map();
for (const s of specs) {
  const [host, group] = s.split('=');
  if (!/^127\.\d+\.\d+\.\d+$/.test(host || '') || !group) {
    console.error(`faultproxy: '${s}' is not LOOPBACK_HOST=GROUP`);
    process.exit(2);
  }
  groupOf.set(host, group);
}
let cut = false;
const open = new Set();
const source = (sock) => (sock.remoteAddress || '').replace(/^::ffff:/, '');
const allowed = (pair) => !cut || groupOf.get(source(pair.client)) === pair.group;

function listen(host) {
  const group = groupOf.get(host);
  return new Promise((resolve, reject) => {
    const server = net.createServer((client) => {
      const pair = { client, group, upstream: null };
      if (!allowed(pair)) { client.destroy(); return; }
      pair.upstream = net.connect(server.address().port, host);
      open.add(pair);
      const drop = () => {
        open.delete(pair);
        client.destroy();
        pair.upstream.destroy();
      };
      client.on('error', drop).on('close', drop);
      pair.upstream.on('error', drop).on('close', drop);
      client.pipe(pair.upstream);
      pair.upstream.pipe(client);
    });
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(`${host} ${server.address().port}`));
  });
}

process.on('SIGUSR1', () => {
  cut = true;
  for (const pair of open) {
    if (allowed(pair)) continue;
    open.delete(pair);
    pair.client.destroy();
    pair.upstream.destroy();
  }
});
process.on('SIGUSR2', () => { cut = false; });
process.on('SIGTERM', () => process.exit(0));

Promise.all([...groupOf.keys()].map(listen)).then((lines) => {
  const tmp = portFile + '.tmp';
  fs.writeFileSync(tmp, lines.join('\n') + '\n');
  fs.renameSync(tmp, portFile);
}, (err) => {
  console.error(`faultproxy: ${err.message}`);
  process.exit(1);
});
