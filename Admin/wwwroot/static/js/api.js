// The nsqadmin HTTP API (/api/*, /config/*): every call answers { ok, status, data, message } and never throws, so a
// page can show what it has and put the failure in a banner. nsqadmin answers errors as {"message": "..."} and
// partial failures (a lookupd or nsqd down) as a 200 whose "message" starts with "WARNING:".

async function request(method, path, body) {
  let response;
  try {
    response = await fetch(path, {
      method,
      headers: body === undefined ? { Accept: 'application/json' } : { Accept: 'application/json', 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
  } catch (error) {
    return { ok: false, status: 0, data: null, message: `cannot reach ${path}: ${error.message}` };
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  const message = (data && typeof data === 'object' && typeof data.message === 'string') ? data.message : '';
  if (!response.ok) {
    return { ok: false, status: response.status, data, message: `${method} ${path}: ${response.status} ${message || text || response.statusText}` };
  }
  return { ok: true, status: response.status, data, message };
}

export const api = {
  get: (path) => request('GET', path),
  post: (path, body) => request('POST', path, body),
  del: (path, body) => request('DELETE', path, body),
};

/** Turns API answers into banners: failures are errors, a "message" on a success is a warning. */
export function bannersOf(...results) {
  const banners = [];
  for (const result of results) {
    if (!result) {
      continue;
    }
    if (!result.ok) {
      banners.push({ kind: 'error', text: result.message });
    } else if (result.message) {
      banners.push({ kind: 'warning', text: result.message });
    }
  }
  return banners;
}
