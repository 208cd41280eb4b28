// The instance as the event stream tells it: steps, attempts, sleeps and waits with their times.
// Pure functions of the events, so the page shows what the journal recorded.

const STATUS_OF = {
  workflow_queued: 'queued', workflow_running: 'running', workflow_waiting: 'waiting',
  workflow_waiting_for_pause: 'waitingForPause', workflow_paused: 'paused',
  workflow_completed: 'complete', workflow_errored: 'errored', workflow_terminated: 'terminated',
};

export function emptyModel() {
  return { steps: new Map(), order: [], events: [], status: null, queuedAt: null, startedAt: null,
    endedAt: null, params: undefined, output: undefined, error: null };
}

const KIND = { step: 'do', attempt: 'do', sleep: 'sleep', wait: 'waitForEvent' };

function stepOf(m, e) {
  const kind = KIND[e.type.split('_')[0]];
  const key = `${kind}:${e.stepName}-${e.count || 1}`;
  let s = m.steps.get(key);
  if (!s) {
    s = { key, kind, name: e.stepName, count: e.count || 1, start: null, end: null, state: 'running',
      attempts: [] };
    m.steps.set(key, s);
    m.order.push(key);
  }
  return s;
}

/** Applies one event to the model; returns true if it starts a new run (a restart). */
export function apply(m, e) {
  const t = Date.parse(e.timestamp);
  m.events.push(e);
  // the queued event of a replay is history, not the present status (the page has that)
  if (STATUS_OF[e.type] && e.type !== 'workflow_queued') m.status = STATUS_OF[e.type];
  switch (e.type) {
    case 'workflow_queued': if (m.queuedAt === null) m.queuedAt = t; break;
    case 'workflow_started':
      if (m.startedAt !== null && t > m.startedAt) return true; // a restart: read the new run afresh
      m.startedAt = t; m.params = e.params; m.status = 'running'; break;
    case 'workflow_completed': m.endedAt = t; m.output = e.output; break;
    case 'workflow_errored': m.endedAt = t; m.error = e.error; break;
    case 'workflow_terminated': m.endedAt = t; break;
    case 'step_started': { const s = stepOf(m, e); s.start = t; s.config = e.config; break; }
    case 'attempt_started': {
      const s = stepOf(m, e);
      if (s.start === null) s.start = t;
      s.attempts[e.attempt - 1] = { n: e.attempt, start: t, end: null, ok: null };
      s.state = 'running';
      break;
    }
    case 'attempt_completed':
    case 'attempt_errored': {
      const s = stepOf(m, e);
      const a = s.attempts[e.attempt - 1] || (s.attempts[e.attempt - 1] = { n: e.attempt, start: t });
      a.end = t; a.ok = e.type === 'attempt_completed'; a.error = e.error; a.retryDelayMs = e.retryDelayMs;
      if (!a.ok && e.retryDelayMs !== undefined) s.state = 'retrying';
      break;
    }
    case 'step_completed': { const s = stepOf(m, e); s.end = t; s.state = 'succeeded'; s.output = e.output; break; }
    case 'step_errored': { const s = stepOf(m, e); s.end = t; s.state = 'failed'; s.error = e.error; break; }
    case 'sleep_started': { const s = stepOf(m, e); s.start = t; s.state = 'sleeping'; s.durationMs = e.durationMs; break; }
    case 'sleep_completed': { const s = stepOf(m, e); s.end = t; s.state = 'slept'; break; }
    case 'wait_started': {
      const s = stepOf(m, e);
      s.start = t; s.state = 'waiting'; s.eventType = e.eventType; s.timeoutMs = e.timeoutMs;
      break;
    }
    case 'wait_completed': { const s = stepOf(m, e); s.end = t; s.state = 'received'; break; }
    case 'wait_timed_out': { const s = stepOf(m, e); s.end = t; s.state = 'timedOut'; break; }
    default: break;
  }
  return false;
}

export const isFinished = (status) => ['complete', 'errored', 'terminated'].includes(status);
