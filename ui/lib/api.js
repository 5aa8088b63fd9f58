// The node's JSON API (docs/API.md). Every change carries the CSRF token
// the page was served with; errors become Error objects whose message is
// the node's own words.
const token = document.querySelector('meta[name="csrf-token"]')?.content ?? '';

export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

class Upload {
  constructor(file) { this.file = file; }
}

async function request(method, path, body) {
  const opts = { method, headers: { Accept: 'application/json' } };
  if (method !== 'GET') opts.headers['X-CSRF-Token'] = token;
  if (body instanceof Upload) {
    opts.body = body.file;
    opts.headers['Content-Type'] = body.file.type || 'application/octet-stream';
    opts.headers['X-Filename'] = encodeURIComponent(body.file.name).slice(0, 200);
  } else if (body !== undefined) {
    opts.headers['Content-Type'] = 'application/json';
    opts.body = JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(path, opts);
  } catch {
    throw new ApiError('cannot reach this node: is glowtalk still running?', 0);
  }
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
  if (!res.ok) {
    throw new ApiError(data?.error || `the node answered ${res.status}`, res.status);
  }
  return data;
}

export const api = {
  get: (p) => request('GET', p),
  post: (p, b = {}) => request('POST', p, b),
  put: (p, b) => request('PUT', p, b),
  patch: (p, b) => request('PATCH', p, b),
  del: (p) => request('DELETE', p),
  // A saved page as the raw request body (the node caps it at 64 MiB).
  upload: (p, file) => request('POST', p, new Upload(file)),
};
