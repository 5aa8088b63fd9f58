// A fault-injecting TCP proxy for swarm tests (loopback only).
// Usage: node faultproxy.js LISTEN_PORT TARGET_PORT PORT_FILE
// Forwards 127.0.0.1:LISTEN_PORT (0 = any; the bound port is written to
// PORT_FILE) to 127.0.0.1:TARGET_PORT. SIGUSR1 cuts the link: every open
// connection is destroyed and new ones are refused until SIGUSR2 heals it.
// This is how tests partition nodes whose advertised addresses are proxies.
'use strict';
const net = require('net');
const fs = require('fs');

const [listenPort, targetPort, portFile] = process.argv.slice(2);
if (!targetPort || !portFile) {
  console.error('usage: faultproxy.js LISTEN_PORT TARGET_PORT PORT_FILE');
  process.exit(2);
}
let cut = false;
const open = new Set();

const server = net.createServer((client) => {
  if (cut) { client.destroy(); return; }
  const upstream = net.connect(Number(targetPort), '127.0.0.1');
  const pair = [client, upstream];
  open.add(pair);
  const drop = () => {
    open.delete(pair);
    client.destroy();
    upstream.destroy();
  };
  client.on('error', drop).on('close', drop);
  upstream.on('error', drop).on('close', drop);
  client.pipe(upstream);
  upstream.pipe(client);
});

process.on('SIGUSR1', () => {
  cut = true;
  for (const [a, b] of open) { a.destroy(); b.destroy(); }
  open.clear();
});
process.on('SIGUSR2', () => { cut = false; });
process.on('SIGTERM', () => process.exit(0));

server.listen(Number(listenPort), '127.0.0.1', () => {
  const tmp = portFile + '.tmp';
  fs.writeFileSync(tmp, String(server.address().port));
  fs.renameSync(tmp, portFile);
});
