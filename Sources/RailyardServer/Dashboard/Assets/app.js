// The dashboard's entry: a hash router over the views. No framework, no build step.
import { session } from './api.js';
import { events } from './events.js';
import { h } from './ui.js';
import { loginView } from './login.js';
import { projectsView, projectView } from './projects.js';
import { serviceView } from './service.js';

const routes = [
  [/^#\/login$/, () => loginView()],
  [/^#\/?$/, () => projectsView()],
  [/^#\/projects\/([\w-]+)$/, (id) => projectView(id, new URLSearchParams(location.hash.split('?')[1]).get('env'))],
  [/^#\/projects\/([\w-]+)\/environments\/([\w-]+)\/services\/([\w-]+)(?:\/(\w+))?$/,
    (projectId, environmentId, serviceId, tab) => serviceView(projectId, environmentId, serviceId, tab ?? 'deployments')],
];

let leave = null;

async function route() {
  const hash = location.hash || '#/';
  if (!session.token && hash !== '#/login') { location.hash = '#/login'; return; }
  renderAccount();
  // The page before stops following what it showed.
  leave?.();
  leave = null;
  events.clear();
  const path = hash.split('?')[0];
  for (const [pattern, view] of routes) {
    const match = path.match(pattern);
    if (match) {
      leave = (await view(...match.slice(1))) ?? null;
      document.getElementById('main').focus({ preventScroll: true });
      return;
    }
  }
  document.getElementById('main').replaceChildren(h('h1', {}, 'Not found'), h('a', { href: '#/' }, 'Back to your projects'));
}

function renderAccount() {
  const nav = document.getElementById('account');
  if (!session.token) { nav.replaceChildren(); return; }
  nav.replaceChildren(
    h('a', { href: '#/' }, 'Projects'), ' ',
    h('button', { type: 'button', onclick: () => { session.token = null; events.close(); location.hash = '#/login'; } }, 'Log out'),
  );
}

window.addEventListener('hashchange', route);
events.listen((message) => { if (message.type === 'resync') route(); });
route();
