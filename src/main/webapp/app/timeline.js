// A Gantt chart of one run: the queue delay, then each step's attempts (with the retry delays
// between them), sleeps and waits, placed on one time axis.
import { h, duration } from './dom.js';

const ICON = { do: '▸', sleep: '○', waitForEvent: '◇' };
const LABEL = { do: 'step', sleep: 'sleep', waitForEvent: 'wait' };

export function timeline(m, { queued, started, ended, status, restartFrom, decide }) {
  const now = Date.now();
  const steps = m.order.map((k) => m.steps.get(k));
  const t0 = queued;
  let t1 = ended || now;
  for (const s of steps) t1 = Math.max(t1, s.end || now);
  const span = Math.max(t1 - t0, 1);
  const pct = (t) => `${(((t - t0) / span) * 100).toFixed(3)}%`;
  const width = (a, b) => `${Math.max(((b - a) / span) * 100, 0.4).toFixed(3)}%`;
  const bar = (a, b, cls, title) => h('span', { class: `bar ${cls}`, style: `left:${pct(a)};width:${width(a, b)}`, title });

  const rows = [];
  rows.push(h('li', { class: 'row' },
    h('div', { class: 'label' }, h('span', { class: 'kind' }, '•'), 'queued → started'),
    h('div', { class: 'track' }, bar(queued, started || now, 'queue', 'queue delay')),
    h('div', { class: 'meta' }, started ? `queue ${duration(started - queued)}` : 'in the queue'),
    h('div', { class: 'row-actions' })));

  for (const s of steps) {
    const bars = [];
    const start = s.start ?? (s.attempts[0] && s.attempts[0].start) ?? now;
    const end = s.end;
    if (s.kind === 'do') {
      s.attempts.forEach((a, i) => {
        if (!a) return;
        const aEnd = a.end ?? now;
        bars.push(bar(a.start, aEnd, a.ok === null || a.ok === undefined ? 'running' : a.ok ? 'ok' : 'err',
          `attempt ${a.n}: ${duration(aEnd - a.start)}${a.error ? ` — ${a.error.name}: ${a.error.message}` : ''}`));
        const next = s.attempts[i + 1];
        if (a.ok === false && (next || s.state === 'retrying')) {
          const until = next ? next.start : Math.min(now, a.end + (a.retryDelayMs || 0));
          bars.push(bar(a.end, Math.max(until, a.end), 'delay', `retry delay ${duration(a.retryDelayMs)}`));
        }
      });
    } else {
      const cls = s.kind === 'sleep' ? 'sleep' : s.state === 'timedOut' ? 'err' : 'wait';
      bars.push(bar(start, end ?? now, cls, `${LABEL[s.kind]} ${duration((end ?? now) - start)}`));
    }
    const failed = s.attempts.filter((a) => a && a.error);
    const waiting = s.kind === 'waitForEvent' && s.state === 'waiting' && !['complete', 'errored', 'terminated'].includes(status);
    rows.push(h('li', { class: `row st-${s.state}`, 'data-step': s.name },
      h('div', { class: 'label' }, h('span', { class: 'kind', title: LABEL[s.kind], 'aria-label': LABEL[s.kind] }, ICON[s.kind]),
        s.name, s.count > 1 ? h('span', { class: 'muted' }, ` #${s.count}`) : null),
      h('div', { class: 'track' }, bars),
      h('div', { class: 'meta' }, meta(s, now, start)),
      h('div', { class: 'row-actions' },
        waiting ? [h('button', { class: 'primary small-btn', onclick: () => decide(s, true), 'data-focus-key': `${s.key}:approve` }, 'Approve'),
          h('button', { class: 'danger small-btn', onclick: () => decide(s, false), 'data-focus-key': `${s.key}:reject` }, 'Reject')] : null,
        h('button', { class: 'ghost small-btn', title: `Restart from ${s.name}`, onclick: () => restartFrom(s),
          'data-focus-key': `${s.key}:restart`,
          'aria-label': `Restart from ${s.name}` }, '↺ from here')),
      failed.length ? h('details', { class: 'errors' }, h('summary', {}, `${failed.length} failed attempt(s)`),
        h('ul', {}, failed.map((a) => h('li', {}, `#${a.n}: ${a.error.name}: ${a.error.message}`,
          a.retryDelayMs !== undefined ? h('span', { class: 'muted' }, ` — retried after ${duration(a.retryDelayMs)}`) : null))))
        : null));
  }
  if (!steps.length) rows.push(h('li', { class: 'muted row empty' }, 'No step yet.'));
  return h('div', {},
    h('ol', { class: 'gantt', 'aria-label': 'Steps on a time axis' }, rows),
    h('div', { class: 'axis muted small' }, h('span', {}, '0'), h('span', {}, duration(span))),
    h('p', { class: 'legend muted small' }, legend('ok', 'attempt ok'), legend('err', 'failed'),
      legend('delay', 'retry delay'), legend('sleep', 'sleep'), legend('wait', 'wait'), legend('queue', 'queue')));
}

function meta(s, now, start) {
  const d = duration((s.end ?? now) - start);
  switch (s.kind) {
    case 'sleep': return `${s.state === 'slept' ? 'slept' : 'sleeping'} ${d}`;
    case 'waitForEvent': return `${s.state === 'received' ? 'got' : s.state === 'timedOut' ? 'timed out on' : 'waits for'} '${s.eventType}' ${d}`;
    default: {
      const n = s.attempts.filter(Boolean).length;
      return `${s.state} ${d}${n > 1 ? `, ${n} attempts` : ''}`;
    }
  }
}

function legend(cls, text) {
  return h('span', { class: 'legend-item' }, h('span', { class: `swatch ${cls}` }), text);
}
