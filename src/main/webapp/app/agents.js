// Agents: the classes with their instances, and one instance's state, schedules, queue and the
// workflows it started (each linking to the instance page). Read from the admin view of agents
// (GET …/agents…), which reads the tables without waking an instance. The state of an open
// instance page is read again every 2 s: the agents' own live channel is their WebSocket,
// which would run the agent's onConnect hooks and count as a client.
import { get } from './api.js';
import { h, mount, badge, time, json, toast } from './dom.js';

const REFRESH_MS = 2000;
const ag = (agent) => `/agents/${encodeURIComponent(agent)}`;
const agLink = (agent, name) => `#/agents/${encodeURIComponent(agent)}/${encodeURIComponent(name)}`;
const ms = (t) => (t ? time(new Date(t).toISOString()) : '—');

export async function agentsView(main) {
  const classes = (await get('/agents')).result;
  const sections = await Promise.all(classes.map(async (c) => {
    const instances = (await get(`${ag(c.name)}/instances?limit=100`)).result;
    return h('section', { class: 'card', 'data-agent': c.name },
      h('h2', {}, c.name), h('p', { class: 'muted small' }, c.class_name),
      c.callable_methods.length ? h('p', { class: 'small' }, 'Callable: ',
        c.callable_methods.map((m, i) => [i ? ', ' : '', h('code', { title: m.description || '' }, m.name),
          m.streaming ? ' (streaming)' : ''])) : null,
      instances.length === 0 ? h('p', { class: 'muted' }, 'No instance yet.') :
        h('div', { class: 'table-wrap' }, h('table', { class: 'list agent-instances' },
          h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Instance'), h('th', { scope: 'col' }, 'Live'),
            h('th', { scope: 'col' }, 'Connections'), h('th', { scope: 'col', class: 'hide-narrow' }, 'Schedules'),
            h('th', { scope: 'col', class: 'hide-narrow' }, 'Queue'), h('th', { scope: 'col', class: 'hide-narrow' }, 'Updated'))),
          h('tbody', {}, instances.map((i) => h('tr', {},
            h('th', { scope: 'row' }, h('a', { href: agLink(c.name, i.name) }, i.name)),
            h('td', {}, i.live ? 'yes' : 'no'), h('td', {}, String(i.connections)),
            h('td', { class: 'hide-narrow' }, String(i.schedules)), h('td', { class: 'hide-narrow' }, String(i.queue)),
            h('td', { class: 'hide-narrow' }, ms(i.updated_at))))))));
  }));
  mount(main, h('h1', {}, 'Agents'),
    classes.length === 0 ? h('p', {}, 'No agent class is deployed on this server.') : sections);
  return null;
}

export async function agentView(main, agent, name) {
  const facts = h('div', { class: 'facts' });
  const state = h('div', { id: 'agent-state' });
  const schedules = h('div', { id: 'agent-schedules' });
  const queue = h('div', { id: 'agent-queue' });
  const workflows = h('div', { id: 'agent-workflows' });
  const updated = h('span', { class: 'live muted', id: 'agent-live' });
  let lastState = null;

  function render(a) {
    mount(facts, fact('Live on this server', a.live ? 'yes' : 'no'), fact('Connections', String(a.connections)),
      fact('Schedules', String(a.schedules)), fact('Queue', String(a.queue)),
      fact('State', `${a.state_size} bytes`), fact('Updated', ms(a.updated_at)));
    const text = JSON.stringify(a.state);
    if (text !== lastState) { // keeps the reader's scroll position while nothing changes
      lastState = text;
      mount(state, a.state_set ? json(a.state) : h('p', { class: 'muted' }, 'No state set.'));
    }
    mount(schedules, a.schedule_list.length === 0 ? h('p', { class: 'muted' }, 'None.') : table(
      ['Id', 'Callback', 'Kind', 'Next run', 'Payload'],
      a.schedule_list.map((s) => [h('code', {}, s.id), s.callback,
        s.type + (s.cron ? ` ${s.cron}` : s.intervalSeconds ? ` every ${s.intervalSeconds} s` : '') + (s.running ? ' (running)' : ''),
        ms(s.time * 1000), JSON.stringify(s.payload)])));
    mount(queue, a.queue_list.length === 0 ? h('p', { class: 'muted' }, 'Empty.') : table(
      ['Id', 'Callback', 'Queued', 'Payload'],
      a.queue_list.map((q) => [h('code', {}, q.id), q.callback, ms(q.created_at), JSON.stringify(q.payload)])));
    mount(workflows, a.workflow_list.length === 0 ? h('p', { class: 'muted' }, 'None.') : [
      h('p', { class: 'muted small' }, `${a.workflows} in all, newest first`),
      table(['Workflow', 'Instance', 'Status', 'Started', 'Metadata'],
        a.workflow_list.map((w) => [w.workflow_name,
          h('a', { href: `#/workflows/${encodeURIComponent(w.workflow_name)}/instances/${encodeURIComponent(w.workflow_id)}`,
            class: 'tracked' }, w.workflow_id),
          [badge(w.status), w.error ? h('div', { class: 'error small' }, `${w.error.name}: ${w.error.message}`) : null],
          ms(w.created_at), w.metadata === null ? '—' : JSON.stringify(w.metadata)]))]);
  }

  async function refresh() {
    try {
      render((await get(`${ag(agent)}/instances/${encodeURIComponent(name)}`)).result);
      updated.textContent = `read ${new Date().toLocaleTimeString()}`;
    } catch (e) {
      updated.textContent = '';
      toast(e.words || e.message, 'error');
    }
  }

  const first = (await get(`${ag(agent)}/instances/${encodeURIComponent(name)}`)).result;
  mount(main,
    h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/agents' }, 'Agents'), ' / ', agent, ' / ', name),
    h('div', { class: 'title-row' }, h('h1', {}, name), updated),
    facts,
    h('section', {}, h('h2', {}, 'State'), state),
    h('section', {}, h('h2', {}, 'Schedules'), schedules),
    h('section', {}, h('h2', {}, 'Queue'), queue),
    h('section', {}, h('h2', {}, 'Workflows it started'), workflows));
  render(first);
  const timer = setInterval(refresh, REFRESH_MS);
  return () => clearInterval(timer);
}

function table(head, rows) {
  return h('div', { class: 'table-wrap' }, h('table', { class: 'list' },
    h('thead', {}, h('tr', {}, head.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c) => h('td', {}, c)))))));
}

function fact(label, value) {
  return h('div', { class: 'fact' }, h('span', { class: 'muted small' }, label), h('span', {}, value));
}
