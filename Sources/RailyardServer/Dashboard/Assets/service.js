// One service in one environment: its deployments (statuses change live), their build and runtime
// logs (streamed, with follow, search and an errors-only filter), the actions, and the tabs for
// variables, settings, domains and metrics.
import { api, servicePath } from './api.js';
import { events } from './events.js';
import { h, show, badge, ago, errorLine, busy } from './ui.js';
import { variablesTab } from './variables.js';
import { settingsTab, domainsTab, metricsTab } from './settings.js';

const TABS = [['deployments', 'Deployments'], ['variables', 'Variables'], ['settings', 'Settings'], ['domains', 'Domains'], ['metrics', 'Metrics']];

export async function serviceView(projectId, environmentId, serviceId, tab) {
  const [detail, service] = await Promise.all([
    api('GET', `/projects/${projectId}`), api('GET', `/projects/${projectId}/services/${serviceId}`),
  ]);
  const environment = detail.environments.find((e) => e.id === environmentId);
  const base = `#/projects/${projectId}/environments/${environmentId}/services/${serviceId}`;
  const path = servicePath(projectId, environmentId, serviceId);
  const switcher = h('select', { id: 'environment', 'aria-label': 'Environment' },
    detail.environments.map((e) => h('option', { value: e.id, selected: e.id === environmentId }, e.name)));
  switcher.addEventListener('change', () => { location.hash = `#/projects/${projectId}/environments/${switcher.value}/services/${serviceId}/${tab}`; });
  const body = h('div', { id: 'tab' });
  show(`${service.name} · ${detail.project.name}`,
    h('div', { class: 'crumbs' }, h('a', { href: '#/' }, 'Projects'), ' / ',
      h('a', { href: `#/projects/${projectId}?env=${environmentId}` }, detail.project.name), ' / ', service.name),
    h('div', { class: 'row spread' }, h('h1', {}, service.name), h('label', { class: 'row' }, 'Environment', switcher)),
    actions(path, service),
    h('nav', { class: 'tabs', 'aria-label': 'Service' }, TABS.map(([id, label]) =>
      h('a', { href: `${base}/${id}`, 'aria-current': id === tab ? 'page' : undefined }, label))),
    body);
  if (!environment) { body.append(h('p', { class: 'error' }, 'This environment no longer exists.')); return; }
  const context = { projectId, environmentId, serviceId, path, body, service, environment };
  switch (tab) {
    case 'variables': return variablesTab(context);
    case 'settings': return settingsTab(context);
    case 'domains': return domainsTab(context);
    case 'metrics': return metricsTab(context);
    default: return deploymentsTab(context);
  }
}

/** Deploy (a git source's branch head), redeploy, restart, rollback and remove, each answering
 * with the API's message when refused. */
function actions(path, service) {
  const errors = errorLine();
  const button = (label, id, method, route, confirmText, extra = {}) => {
    const element = h('button', { type: 'button', id, ...extra }, label);
    element.addEventListener('click', () => {
      if (confirmText && !confirm(confirmText)) return;
      busy(element, errors, () => api(method, `${path}/${route}`));
    });
    return element;
  };
  return h('div', {},
    h('div', { class: 'row' },
      service.source?.repo ? button('Deploy latest commit', 'action-deploy', 'POST', 'redeploy?latest=true', null, { class: 'primary' }) : null,
      button('Redeploy', 'action-redeploy', 'POST', 'redeploy', null, { class: 'primary' }),
      button('Restart', 'action-restart', 'POST', 'restart', null),
      button('Roll back', 'action-rollback', 'POST', 'rollback', 'Deploy the release before the current one again?'),
      button('Remove', 'action-remove', 'POST', 'down', 'Stop and remove the running deployment? Its URL will answer 503.', { class: 'danger' })),
    errors);
}

function deploymentsTab({ projectId, path, body, serviceId, environmentId }) {
  const rows = h('tbody');
  const table = h('table', { class: 'deployments', id: 'deployments' },
    h('thead', {}, h('tr', {}, h('th', {}, 'Deployment'), h('th', {}, 'Status'), h('th', { class: 'hide-narrow' }, 'Created'), h('th', { class: 'hide-narrow' }, 'URL'))),
    rows);
  const logs = logPanel();
  body.append(h('div', { class: 'split' }, h('section', { 'aria-label': 'Deployments' }, h('h2', {}, 'Deployments'), table), logs.element));

  const byId = new Map();
  let chosen = null;
  const choose = (deployment, focus) => {
    chosen = deployment.id;
    for (const [id, row] of byId) row.classList.toggle('selected', id === chosen);
    logs.follow(deployment);
    if (focus) logs.element.querySelector('select')?.focus();
  };
  const render = (deployment) => {
    let row = byId.get(deployment.id);
    const cells = [
      h('td', {}, h('button', { type: 'button', class: 'link', title: 'Show its logs', onclick: () => choose(deployment, true) }, deployment.id.slice(0, 8))),
      h('td', {}, badge(deployment.status), deployment.failureReason ? h('div', { class: 'error' }, deployment.failureReason) : null),
      h('td', { class: 'hide-narrow muted' }, ago(deployment.createdAt)),
      h('td', { class: 'hide-narrow' }, deployment.url && deployment.status === 'SUCCESS' ? h('a', { href: deployment.url, rel: 'noopener' }, deployment.url.replace(/^https?:\/\//, '')) : ''),
    ];
    if (row) { row.replaceChildren(...cells); return; }
    row = h('tr', { dataset: { deployment: deployment.id } }, cells);
    byId.set(deployment.id, row);
    // Newest first: a new deployment goes on top.
    const before = [...rows.children].find((other) => other.dataset.created < deployment.createdAt);
    row.dataset.created = deployment.createdAt;
    rows.insertBefore(row, before ?? null);
  };

  events.subscribe({ project: projectId });
  const stop = events.listen((message) => {
    if (message.type === 'deployment') {
      const deployment = message.deployment;
      if (deployment.serviceId !== serviceId || deployment.environmentId !== environmentId) return;
      const isNew = !byId.has(deployment.id);
      render(deployment);
      // A new deployment is what one wants to watch.
      if (isNew) choose(deployment);
    } else if (message.type === 'log') logs.receive(message);
  });
  // Twenty at a time, newest first; "Older deployments" asks for the page after the oldest shown.
  const PAGE = 20;
  const older = h('button', { type: 'button', id: 'deployments-older', hidden: true }, 'Older deployments');
  table.after(older);
  let oldest = null;
  const page = (list) => {
    for (const deployment of list) if (!byId.has(deployment.id)) render(deployment);
    if (list.length) oldest = list[list.length - 1].id;
    older.hidden = list.length < PAGE;
  };
  older.addEventListener('click', () => {
    older.disabled = true;
    api('GET', `${path}/deployments?limit=${PAGE}&before=${encodeURIComponent(oldest)}`)
      .then(page)
      .finally(() => { older.disabled = false; });
  });
  api('GET', `${path}/deployments?limit=${PAGE}`).then((list) => {
    page(list);
    if (!chosen && list.length) choose(list[0]);
    if (!list.length) rows.append(h('tr', {}, h('td', { colspan: '4', class: 'muted' }, 'No deployments yet: railyard up deploys the linked folder.')));
  });
  return () => { stop(); logs.stop(); };
}

/** The log viewer: build or runtime log of one deployment, live, with follow, search and a filter. */
function logPanel() {
  const kind = h('select', { id: 'log-kind', 'aria-label': 'Log' }, h('option', { value: 'build' }, 'Build log'), h('option', { value: 'runtime' }, 'Runtime log'));
  const search = h('input', { type: 'search', id: 'log-search', placeholder: 'Search', 'aria-label': 'Search the log' });
  const errorsOnly = h('input', { type: 'checkbox', id: 'log-errors' });
  const follow = h('input', { type: 'checkbox', id: 'log-follow', checked: true });
  const output = h('div', { class: 'logs', id: 'logs', role: 'log', 'aria-live': 'off', tabindex: '0' });
  const state = h('span', { class: 'muted', id: 'log-state' });
  let deployment = null;
  let topic = null;

  const matches = (line) => {
    const text = line.textContent.toLowerCase();
    return (!errorsOnly.checked || line.classList.contains('err')) && (!search.value || text.includes(search.value.toLowerCase()));
  };
  const refilter = () => { for (const line of output.children) line.classList.toggle('hidden', !matches(line)); };
  search.addEventListener('input', refilter);
  errorsOnly.addEventListener('change', refilter);
  follow.addEventListener('change', () => { if (follow.checked) output.scrollTop = output.scrollHeight; });
  kind.addEventListener('change', () => deployment && start());

  function start() {
    if (topic) events.unsubscribe(topic);
    output.replaceChildren();
    topic = { logs: deployment.id, kind: kind.value };
    state.textContent = `following ${deployment.id.slice(0, 8)}`;
    events.subscribe(topic);
  }
  return {
    element: h('section', { 'aria-label': 'Logs' },
      h('div', { class: 'row spread' }, h('h2', {}, 'Logs'), state),
      h('div', { class: 'row' }, kind, search,
        h('label', { class: 'row' }, errorsOnly, 'Errors only'), h('label', { class: 'row' }, follow, 'Follow')),
      output),
    follow(next) { if (deployment?.id !== next.id) { deployment = next; start(); } },
    receive(message) {
      if (!topic || message.deploymentId !== topic.logs || message.kind !== topic.kind) return;
      for (const text of message.lines) {
        const line = h('div', { class: 'line' }, text);
        if (/error|fail|exception|panic|traceback/i.test(text)) line.classList.add('err');
        if (!matches(line)) line.classList.add('hidden');
        output.append(line);
      }
      if (message.complete) state.textContent = `${deployment.id.slice(0, 8)}: log complete`;
      if (follow.checked) output.scrollTop = output.scrollHeight;
    },
    stop() { if (topic) events.unsubscribe(topic); },
  };
}
