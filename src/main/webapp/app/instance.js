// One instance, live: its events stream in over SSE and redraw the timeline; actions go through
// the same REST endpoints as wrangler.
import { call, get, inst, subscribe, wf } from './api.js';
import { h, mount, badge, time, duration, json, toast, parseJson } from './dom.js';
import { emptyModel, apply, isFinished } from './model.js';
import { timeline } from './timeline.js';
import { diagram, loadGraph } from './diagram.js';

export async function instanceView(main, name, id) {
  let details = (await get(inst(name, id))).result;
  // the diagram comes when it comes: the page and its event stream do not wait for it
  let graph = null;
  const dg = h('div', { id: 'instance-diagram' });
  let model = emptyModel();
  model.status = details.status;
  let stop = null;
  let frame = 0;

  const statusEl = h('span', { id: 'status' });
  const head = h('div', { class: 'facts' });
  const blocks = h('div', { class: 'blocks' });
  const tl = h('div', { id: 'timeline', class: 'timeline' });
  const log = h('ol', { class: 'event-log', id: 'event-log' });
  const live = h('span', { class: 'live muted', id: 'live' });
  const logCard = h('details', { class: 'card', ontoggle: () => { if (logCard.open) drawLog(); } },
    h('summary', {}, 'Events'), log);

  async function act(status, extra = {}) {
    try {
      const r = await call('PATCH', `${inst(name, id)}/status`, { status, ...extra });
      toast(`${status}: now ${r.result.status}`);
      if (status === 'restart') resubscribe();
      else refreshDetails();
    } catch (e) {
      toast(e.words, 'error');
    }
  }

  async function sendEvent(type, payload) {
    try {
      await call('POST', `${inst(name, id)}/events/${encodeURIComponent(type)}`,
        payload === null ? 'null' : JSON.stringify(payload));
      toast(`event '${type}' sent`);
    } catch (e) {
      toast(e.words, 'error');
    }
  }

  async function refreshDetails() {
    try {
      details = (await get(inst(name, id))).result;
      model.status = details.status;
      render();
    } catch (e) { toast(e.words, 'error'); }
  }

  const actions = h('div', { class: 'actions', role: 'toolbar', 'aria-label': 'Instance actions' },
    h('button', { onclick: () => act('pause'), 'data-action': 'pause' }, 'Pause'),
    h('button', { onclick: () => act('resume'), 'data-action': 'resume' }, 'Resume'),
    h('button', { onclick: () => confirm(`Terminate ${id}?`) && act('terminate'), 'data-action': 'terminate', class: 'danger' }, 'Terminate'),
    h('button', { onclick: () => act('restart'), 'data-action': 'restart' }, 'Restart'));

  const evType = h('input', { id: 'ev-type', autocomplete: 'off', placeholder: 'approval', required: true });
  const evPayload = h('textarea', { id: 'ev-payload', rows: 3, spellcheck: false }, '{}');
  const evError = h('p', { class: 'error', role: 'alert' });
  const eventForm = h('form', { class: 'card', id: 'send-event', onsubmit: (ev) => {
    ev.preventDefault();
    const p = parseJson(evPayload.value, 'The payload');
    evError.textContent = p.ok ? '' : p.error;
    if (p.ok) sendEvent(evType.value.trim(), p.value);
  } }, h('h2', {}, 'Send an event'),
  h('label', { for: 'ev-type' }, 'Type'), evType,
  h('label', { for: 'ev-payload' }, 'Payload (JSON)'), evPayload, evError,
  h('button', { type: 'submit' }, 'Send'));

  // when each event reached the screen (the frame that drew it): read by EventToScreenBenchmark
  const shown = (window.steadfastDashboard ||= { shown: [] }).shown;
  let unseen = [];

  function render() {
    frame = 0;
    const now = Date.now();
    for (const e of unseen) if (shown.length < 100000) shown.push({ type: e.type, at: Date.parse(e.timestamp), got: e.got, shown: now });
    unseen = [];
    const st = model.status || details.status;
    mount(statusEl, badge(st));
    const queued = model.queuedAt ?? Date.parse(details.queued);
    const started = model.startedAt ?? (details.start ? Date.parse(details.start) : null);
    const ended = model.endedAt ?? (details.end ? Date.parse(details.end) : null);
    mount(head,
      fact('Queued', time(new Date(queued).toISOString())),
      fact('Started', started ? time(new Date(started).toISOString()) : '—'),
      fact('Ended', ended ? time(new Date(ended).toISOString()) : '—'),
      fact('Queue delay', started ? duration(started - queued) : '—'),
      fact('Run time', started ? duration((ended || Date.now()) - started) : '—'));
    for (const b of actions.querySelectorAll('button')) {
      const a = b.dataset.action;
      b.disabled = a === 'pause' && (isFinished(st) || st === 'paused')
        || a === 'resume' && st !== 'paused' && st !== 'waitingForPause'
        || a === 'terminate' && isFinished(st);
    }
    mount(blocks,
      h('section', {}, h('h2', {}, 'Params'), json(model.params !== undefined ? model.params : details.params)),
      isFinished(st) && st === 'complete' ? h('section', {}, h('h2', {}, 'Output'), json(model.output !== undefined ? model.output : details.output)) : null,
      st === 'errored' ? h('section', {}, h('h2', {}, 'Error'), h('p', { class: 'error' },
        `${(model.error || details.error || {}).name}: ${(model.error || details.error || {}).message}`)) : null);
    // the timeline is rebuilt on every event: keep the keyboard focus on the same button
    const focused = document.activeElement && document.activeElement.dataset
      ? document.activeElement.dataset.focusKey : null;
    mount(tl, timeline(model, { queued, started, ended, status: st,
      restartFrom: (s) => act('restart', { from: { name: s.name, count: s.count, type: s.kind } }),
      decide: (s, approved) => sendEvent(s.eventType, { approved, reason: approved ? 'approved in the dashboard' : 'rejected in the dashboard' }),
    }));
    if (focused) {
      const again = tl.querySelector(`[data-focus-key="${CSS.escape(focused)}"]`);
      if (again) again.focus();
    }
    if (graph) mount(dg, diagram(graph, model));
    // the event log is folded by default: drawn when open or once the run is over, not at
    // every frame of a running instance (200 rows a frame kept the page from reading the
    // stream: EventToScreenBenchmark)
    if (logCard.open || isFinished(st)) drawLog();
  }

  function drawLog() {
    mount(log, model.events.slice(-200).reverse().map((e) => h('li', {},
      h('code', {}, e.type), ' ', e.stepName ? `${e.stepName}${e.attempt ? ` #${e.attempt}` : ''} ` : '',
      h('span', { class: 'muted small' }, time(e.timestamp)))));
  }

  const schedule = () => { if (!frame) frame = requestAnimationFrame(render); };

  function resubscribe() {
    if (stop) stop();
    model = emptyModel();
    model.status = details.status;
    live.textContent = 'connecting…';
    stop = subscribe(`${inst(name, id)}/subscribe`, {
      onEvent: (e) => {
        live.textContent = 'live';
        e.got = Date.now();
        unseen.push(e);
        if (apply(model, e)) { resubscribe(); return; }
        schedule();
      },
      onEnd: () => { live.textContent = 'ended'; refreshDetails(); },
      onError: (e) => { live.textContent = ''; toast(e.words || e.message, 'error'); },
    });
  }

  mount(main,
    h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/' }, 'Workflows'), ' / ',
      h('a', { href: `#/workflows/${encodeURIComponent(name)}` }, name), ' / ', id),
    h('div', { class: 'title-row' }, h('h1', {}, id), statusEl, live),
    actions, head, blocks,
    h('section', {}, h('h2', {}, 'Timeline'), tl),
    h('details', { class: 'card', open: true }, h('summary', {}, 'Code diagram'), dg),
    eventForm,
    logCard);
  render();
  resubscribe();
  loadGraph(get, wf(name)).then((g) => { graph = g; schedule(); });
  // in-flight bars grow with the clock; this redraws locally and reads nothing from the server
  const tick = setInterval(() => { if (!isFinished(model.status)) schedule(); }, 1000);
  return () => { clearInterval(tick); if (stop) stop(); };
}

function fact(label, value) {
  return h('div', { class: 'fact' }, h('span', { class: 'muted small' }, label), h('span', {}, value));
}
