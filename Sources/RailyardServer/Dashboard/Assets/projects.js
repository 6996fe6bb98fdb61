// The projects grid (the seed's ProjectCard: name, latest deployment's status, when it was deployed)
// and one project's services with an environment switcher. Both follow deployments live.
import { api } from './api.js';
import { events } from './events.js';
import { h, show, badge, ago, errorLine, busy } from './ui.js';

/** The newest deployment of each service in an environment (one request per service). */
async function latestDeployments(projectId, environmentId, services) {
  const lists = await Promise.all(services.map((service) =>
    api('GET', `/projects/${projectId}/environments/${environmentId}/services/${service.id}/deployments?limit=1`).catch(() => [])));
  return new Map(services.map((service, index) => [service.id, lists[index][0] ?? null]));
}

/** Shows `deployment` in a card's `state` unless the card already shows a newer one (an old
 * release moving to REMOVED must not hide the new one). */
function update(state, deployment) {
  if (!deployment) { state.when.textContent = 'never deployed'; return; }
  if (state.latest && state.latest.id !== deployment.id && new Date(state.latest.createdAt) > new Date(deployment.createdAt)) return;
  state.latest = deployment;
  state.status.replaceChildren(badge(deployment.status));
  state.when.textContent = `deployed ${ago(deployment.createdAt)}`;
}

function newest(deployments) {
  return [...deployments].filter(Boolean).sort((a, b) => new Date(b.createdAt) - new Date(a.createdAt))[0] ?? null;
}

export async function projectsView() {
  const errors = errorLine();
  const grid = h('div', { class: 'grid', id: 'projects' });
  const name = h('input', { name: 'name', placeholder: 'my-app', required: true, pattern: '[a-z0-9]([a-z0-9\\-]*[a-z0-9])?', 'aria-label': 'New project name' });
  const create = h('button', { type: 'submit', class: 'primary' }, 'New project');
  const form = h('form', { class: 'inline', id: 'new-project' }, name, create);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(create, errors, async () => {
      const detail = await api('POST', '/projects', { name: name.value });
      location.hash = `#/projects/${detail.project.id}`;
    });
  });
  show('Projects', h('div', { class: 'row spread' }, h('h1', {}, 'Projects'), form), errors, grid);

  const projects = await api('GET', '/projects').catch((error) => { errors.show(error); return []; });
  if (projects.length === 0) grid.append(h('p', { class: 'muted' }, 'No projects yet: create one, or run railyard init.'));
  const cards = new Map();
  await Promise.all(projects.map(async (project) => {
    const status = h('span', {}, badge(null));
    const when = h('span', { class: 'muted' }, '…');
    const card = h('a', { class: 'card', href: `#/projects/${project.id}`, dataset: { project: project.name } },
      h('span', { class: 'name' }, project.name),
      project.description ? h('span', { class: 'muted' }, project.description) : null,
      h('span', { class: 'row spread' }, status, when));
    grid.append(card);
    const state = { latest: null, status, when };
    cards.set(project.id, state);
    events.subscribe({ project: project.id });
    try {
      const detail = await api('GET', `/projects/${project.id}`);
      const production = detail.environments.find((e) => e.name === 'production') ?? detail.environments[0];
      if (production) {
        const latest = newest((await latestDeployments(project.id, production.id, detail.services)).values());
        update(state, latest);
      } else when.textContent = 'never deployed';
    } catch { when.textContent = ''; }
  }));

  return events.listen((message) => {
    if (message.type === 'deployment' && cards.has(message.projectId)) update(cards.get(message.projectId), message.deployment);
  });
}

export async function projectView(projectId, environmentParam) {
  const detail = await api('GET', `/projects/${projectId}`);
  const environment = detail.environments.find((e) => e.id === environmentParam || e.name === environmentParam)
    ?? detail.environments.find((e) => e.name === 'production') ?? detail.environments[0];
  const switcher = h('select', { id: 'environment', 'aria-label': 'Environment' },
    detail.environments.map((e) => h('option', { value: e.id, selected: e.id === environment?.id }, e.name)));
  switcher.addEventListener('change', () => { location.hash = `#/projects/${projectId}?env=${switcher.value}`; });

  const errors = errorLine();
  const name = h('input', { name: 'name', placeholder: 'web', required: true, 'aria-label': 'New service name' });
  const create = h('button', { type: 'submit' }, 'New service');
  const form = h('form', { class: 'inline', id: 'new-service' }, name, create);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(create, errors, async () => {
      const service = await api('POST', `/projects/${projectId}/services`, { name: name.value });
      location.hash = `#/projects/${projectId}/environments/${environment.id}/services/${service.id}`;
    });
  });

  const grid = h('div', { class: 'grid', id: 'services' });
  show(detail.project.name,
    h('div', { class: 'crumbs' }, h('a', { href: '#/' }, 'Projects'), ' / ', detail.project.name),
    h('div', { class: 'row spread' }, h('h1', {}, detail.project.name), h('label', { class: 'row' }, 'Environment', switcher)),
    h('div', { class: 'row spread' }, h('h2', {}, 'Services'), form), errors, grid);
  if (!environment) return;
  if (detail.services.length === 0) grid.append(h('p', { class: 'muted' }, 'No services yet: create one, then deploy with railyard up.'));
  const latest = await latestDeployments(projectId, environment.id, detail.services);
  const slots = new Map();
  for (const service of detail.services) {
    const slot = { latest: null, status: h('span', {}, badge(null)), when: h('span', { class: 'muted' }) };
    update(slot, latest.get(service.id));
    const { status, when } = slot;
    slots.set(service.id, slot);
    grid.append(h('a', { class: 'card', href: `#/projects/${projectId}/environments/${environment.id}/services/${service.id}`, dataset: { service: service.name } },
      h('span', { class: 'name' }, service.name),
      h('span', { class: 'muted' }, service.source?.database ? `database: ${service.source.database}` : service.source?.repo ?? 'uploads'),
      h('span', { class: 'row spread' }, status, when)));
  }
  events.subscribe({ project: projectId });
  return events.listen((message) => {
    if (message.type !== 'deployment' || message.deployment.environmentId !== environment.id) return;
    const slot = slots.get(message.deployment.serviceId);
    if (slot) update(slot, message.deployment);
  });
}
