// Settings (start command, healthcheck, replicas, restart policy, sleep), domains, and metrics.
import { api } from './api.js';
import { events } from './events.js';
import { h, errorLine, busy } from './ui.js';

export async function settingsTab({ path, body }) {
  const errors = errorLine();
  const saved = h('p', { class: 'muted', role: 'status' });
  const settings = await api('GET', `${path}/settings`).catch((error) => { errors.show(error); return {}; });
  const deploy = settings.deploy ?? {};
  const field = (label, input) => h('label', {}, label, input);
  const startCommand = h('input', { id: 'setting-start', value: deploy.startCommand ?? '', placeholder: 'detected' });
  const healthcheckPath = h('input', { id: 'setting-health', value: deploy.healthcheckPath ?? '', placeholder: '/health' });
  const replicas = h('input', { id: 'setting-replicas', type: 'number', min: '1', max: '20', value: String(deploy.numReplicas ?? 1) });
  const restart = h('select', { id: 'setting-restart' }, ['ON_FAILURE', 'ALWAYS', 'NEVER'].map((policy) =>
    h('option', { value: policy, selected: (deploy.restartPolicyType ?? 'ON_FAILURE') === policy }, policy)));
  const sleep = h('input', { id: 'setting-sleep', type: 'checkbox', checked: deploy.sleepApplication === true });
  const save = h('button', { type: 'submit', class: 'primary' }, 'Save settings');
  const form = h('form', { class: 'stack', id: 'settings-form' },
    field('Start command', startCommand), field('Healthcheck path', healthcheckPath), field('Replicas', replicas),
    field('Restart policy', restart), h('label', { class: 'row' }, sleep, 'Sleep when idle'), save, errors, saved);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(save, errors, async () => {
      const next = { ...deploy, numReplicas: Number(replicas.value), restartPolicyType: restart.value, sleepApplication: sleep.checked };
      if (startCommand.value) next.startCommand = startCommand.value; else delete next.startCommand;
      if (healthcheckPath.value) next.healthcheckPath = healthcheckPath.value; else delete next.healthcheckPath;
      await api('PUT', `${path}/settings`, { ...settings, deploy: next });
      saved.textContent = 'Saved: they apply from the next deployment.';
    });
  });
  body.append(h('h2', {}, 'Settings'), form);
}

export async function domainsTab({ path, body }) {
  const errors = errorLine();
  const list = h('ul', { id: 'domains' });
  const domain = h('input', { id: 'domain-name', placeholder: 'shop.example.com', required: true, 'aria-label': 'Custom domain' });
  const add = h('button', { type: 'submit', class: 'primary' }, 'Add domain');
  const form = h('form', { class: 'inline' }, domain, add);
  async function load() {
    const domains = await api('GET', `${path}/domains`);
    list.replaceChildren(...domains.map((item) => {
      const remove = item.kind === 'custom' ? h('button', { type: 'button', class: 'danger', 'aria-label': `Remove ${item.host}` }, 'Remove') : null;
      remove?.addEventListener('click', () => busy(remove, errors, async () => { await api('DELETE', `${path}/domains/${item.id}`); await load(); }));
      return h('li', { class: 'row' }, h('span', { class: 'mono' }, item.host), h('span', { class: 'badge' }, item.kind), remove);
    }));
    if (!domains.length) list.append(h('li', { class: 'muted' }, 'The generated domain is made at the first deployment.'));
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(add, errors, async () => { await api('POST', `${path}/domains`, { domain: domain.value }); domain.value = ''; await load(); });
  });
  body.append(h('h2', {}, 'Domains'), form, errors, list);
  await load().catch((error) => errors.show(error));
}

/** Requests through the edge (http-stats), then CPU and memory over the last hour (the service's usage figures). */
export async function metricsTab({ path, body }) {
  const errors = errorLine();
  body.append(h('h2', {}, 'Requests'), errors);
  const stats = await api('GET', `${path}/http-stats`).catch((error) => { errors.show(error); return null; });
  if (stats) {
    const classes = Object.entries(stats.statusClasses ?? {});
    const most = Math.max(1, ...classes.map(([, count]) => count));
    body.append(h('p', {}, `${stats.requests} requests since the server started`),
      h('div', { class: 'chart', id: 'requests-chart' }, classes.map(([name, count]) => {
        const fill = h('div', { class: 'fill' });
        fill.style.width = `${(100 * count) / most}%`;
        return h('div', { class: 'bar' }, h('span', {}, name), h('div', {}, fill), h('span', {}, String(count)));
      })));
  }
  body.append(h('h2', {}, 'CPU and memory (last hour)'));
  const report = await api('GET', `${path}/metrics?since=1h`).catch((error) => { errors.show(error); return null; });
  const points = report?.points ?? [];
  if (!points.length) {
    body.append(h('p', { class: 'muted', id: 'usage-empty' }, 'No figures yet: they are sampled every few seconds while the service runs.'));
    return;
  }
  const usage = h('div', { id: 'usage' });
  body.append(usage);
  const draw = () => {
    const latest = points[points.length - 1];
    const mib = (bytes) => bytes / 1048576;
    usage.replaceChildren(
      h('p', { id: 'usage-now' },
        `Now: ${(latest.cpuMillicores / 1000).toFixed(2)} CPU, ${mib(latest.memoryBytes).toFixed(1)} MiB of ${mib(latest.memoryLimitBytes).toFixed(0)} MiB memory, ${latest.replicas} replica(s)`),
      lineChart('cpu-chart', 'CPU (cores)', points.map((point) => point.cpuMillicores / 1000), Math.max(...points.map((point) => point.cpuMillicores / 1000), 0.05)),
      lineChart('memory-chart', 'Memory (MiB, up to the limit)', points.map((point) => mib(point.memoryBytes)), Math.max(...points.map((point) => mib(point.memoryLimitBytes)), 1)),
    );
    usage.dataset.points = String(points.length);
  };
  draw();
  // Each sampling round's point arrives on the page's socket; the last hour stays drawn.
  const parts = path.split('/');  // /projects/P/environments/E/services/S
  const environmentId = parts[4], serviceId = parts[6];
  const topic = { metrics: serviceId, environment: environmentId };
  const stop = events.listen((message) => {
    if (message.type !== 'metrics' || message.serviceId !== serviceId || message.environmentId !== environmentId) return;
    if (!document.body.contains(usage)) { stop(); events.unsubscribe(topic); return; }
    points.push(message.point);
    const hourAgo = Date.now() - 3600 * 1000;
    while (points.length > 2 && Date.parse(points[0].at) < hourAgo) points.shift();
    draw();
  });
  events.subscribe(topic);
}

/** A small SVG line chart of `values` (oldest first) between 0 and `top`, labelled for screen readers. */
function lineChart(id, label, values, top) {
  const svg = 'http://www.w3.org/2000/svg';
  const width = 300, height = 80;
  const chart = document.createElementNS(svg, 'svg');
  chart.setAttribute('id', id);
  chart.setAttribute('class', 'line-chart');
  chart.setAttribute('viewBox', `0 0 ${width} ${height}`);
  chart.setAttribute('role', 'img');
  chart.setAttribute('aria-label', `${label}: latest ${values[values.length - 1].toFixed(2)}, highest ${Math.max(...values).toFixed(2)}`);
  const line = document.createElementNS(svg, 'polyline');
  const step = values.length > 1 ? width / (values.length - 1) : 0;
  line.setAttribute('points', values.map((value, index) => `${(index * step).toFixed(1)},${(height - (height * Math.min(value, top)) / top).toFixed(1)}`).join(' '));
  line.setAttribute('fill', 'none');
  line.setAttribute('stroke', 'currentColor');
  line.setAttribute('stroke-width', '2');
  chart.append(line);
  return h('figure', {}, h('figcaption', {}, label), chart);
}
