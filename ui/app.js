// Glowtalk UI entry point. Talks only to its own node's /api.
const $ = (sel) => document.querySelector(sel);

function row(term, value) {
  const dt = document.createElement('dt');
  dt.textContent = term;
  const dd = document.createElement('dd');
  dd.textContent = value; // text, never HTML
  return [dt, dd];
}

async function showStatus() {
  const dl = $('#node');
  try {
    const res = await fetch('/api/status', { headers: { Accept: 'application/json' } });
    if (!res.ok) throw new Error(`the node answered ${res.status}`);
    const s = await res.json();
    dl.replaceChildren(
      ...row('Status', 'running'),
      ...row('Node id', s.node_id),
      ...row('Network id', s.network_id),
      ...row('Version', s.version),
      ...row('Peers', s.peers.length ? String(s.peers.length) : 'none yet'),
    );
  } catch (e) {
    $('#node-state').textContent = `cannot reach the node: ${e.message}`;
  }
}

showStatus();
