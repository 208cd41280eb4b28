// The REST API the dashboard shares with wrangler (/client/v4) and the instance event stream.
// The token lives in sessionStorage only and travels in the Authorization header, never in a URL.

const TOKEN = 'steadfast.token';
const ACCOUNT = 'steadfast.account';
const root = new URL('../client/v4', import.meta.url).pathname;

export const session = {
  get token() { return sessionStorage.getItem(TOKEN); },
  get account() { return sessionStorage.getItem(ACCOUNT) || localStorage.getItem(ACCOUNT) || 'local'; },
  signIn(token, account) {
    sessionStorage.setItem(TOKEN, token);
    sessionStorage.setItem(ACCOUNT, account);
    localStorage.setItem(ACCOUNT, account); // not a secret: saves typing it again
  },
  signOut() { sessionStorage.removeItem(TOKEN); },
};

/** An API error with the server's code and message, shown to the user as is. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
  get words() { return `${this.message}${this.code ? ` (HTTP ${this.status}, code ${this.code})` : ''}`; }
}

function base(account = session.account) {
  return `${root}/accounts/${encodeURIComponent(account)}`;
}

function headers(token = session.token, extra = {}) {
  return { Authorization: `Bearer ${token}`, ...extra };
}

async function envelope(res) {
  let body = null;
  try { body = await res.json(); } catch { /* not JSON */ }
  if (!res.ok || !body || body.success === false) {
    const e = body && body.errors && body.errors[0];
    if (res.status === 401) session.signOut();
    throw new ApiError(res.status, e ? e.code : 0,
      e ? e.message : `the server answered HTTP ${res.status}`);
  }
  return body;
}

/** Calls the v4 API; resolves to the whole envelope ({result, result_info}). */
export async function call(method, path, body, opts = {}) {
  const init = { method, headers: headers(opts.token) };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
  }
  let res;
  try {
    res = await fetch(base(opts.account) + path, init);
  } catch (e) {
    throw new ApiError(0, 0, `the server cannot be reached (${e.message})`);
  }
  return envelope(res);
}

const TERMINAL = ['workflow_completed', 'workflow_errored', 'workflow_terminated'];

export const get = (path, opts) => call('GET', path, undefined, opts);

export const wf = (name) => `/workflows/${encodeURIComponent(name)}`;
export const inst = (name, id) => `${wf(name)}/instances/${encodeURIComponent(id)}`;

/**
 * Server-Sent Events over fetch(): EventSource cannot send an Authorization header, and the token
 * must not go into the URL. Reconnects after a network error with Last-Event-ID, as EventSource
 * would. Returns a function that stops it.
 */
export function subscribe(path, { onEvent, onEnd, onError, lastEventId = null }) {
  const ctrl = new AbortController();
  let last = lastEventId;
  let stopped = false;
  let delay = 500;
  const run = async () => {
    while (!stopped) {
      try {
        const h = headers(undefined, { Accept: 'text/event-stream' });
        if (last) h['Last-Event-ID'] = last;
        const res = await fetch(base() + path, { headers: h, signal: ctrl.signal });
        if (!res.ok) {
          await envelope(res); // throws the API error
        }
        delay = 500;
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buf = '';
        let terminal = false;
        let ev = { id: null, type: 'message', data: [] };
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += value;
          let nl;
          while ((nl = buf.search(/\r?\n/)) >= 0) {
            const line = buf.slice(0, nl);
            buf = buf.slice(nl + (buf[nl] === '\r' ? 2 : 1));
            if (line === '') {
              if (ev.data.length) {
                if (ev.id) last = ev.id;
                const data = JSON.parse(ev.data.join('\n'));
                if (ev.type === 'error') throw new ApiError(0, 0, data.message);
                terminal = TERMINAL.includes(data.type);
                onEvent(data);
              }
              ev = { id: null, type: 'message', data: [] };
            } else if (!line.startsWith(':')) {
              const i = line.indexOf(':');
              const field = i < 0 ? line : line.slice(0, i);
              const val = i < 0 ? '' : line.slice(i + 1).replace(/^ /, '');
              if (field === 'id') ev.id = val;
              else if (field === 'event') ev.type = val;
              else if (field === 'data') ev.data.push(val);
            }
          }
        }
        // the server closes the stream after the terminal event; any other close (a server
        // stopping, a proxy) is resumed from the last id, as EventSource would
        if (!terminal) throw new TypeError('the stream closed early');
        stopped = true;
        if (onEnd) onEnd();
      } catch (e) {
        if (stopped || e.name === 'AbortError') return;
        if (e instanceof ApiError) { // refused, or the instance is gone: retrying will not help
          stopped = true;
          if (onError) onError(e);
          return;
        }
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, 10_000);
      }
    }
  };
  run();
  return () => { stopped = true; ctrl.abort(); };
}
