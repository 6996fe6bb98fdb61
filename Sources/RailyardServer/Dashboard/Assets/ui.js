// Small DOM helpers: elements are built with textContent, never from HTML strings.

/** Creates an element: h('a', {href: '#/'}, 'text', child, …). `on*` properties become listeners. */
export function h(tag, props = {}, ...children) {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith('on')) element.addEventListener(key.slice(2), value);
    else if (key === 'class') element.className = value;
    else if (key === 'dataset') Object.assign(element.dataset, value);
    else if (key in element && typeof value !== 'string') element[key] = value;
    else element.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

/** A status badge for a deployment status (or "never deployed"). */
export function badge(status) {
  return h('span', { class: `badge ${status ?? ''}`, dataset: { status: status ?? 'NONE' } }, status ?? 'NO DEPLOYS');
}

/** "3 minutes ago", kept short. */
export function ago(date) {
  if (!date) return 'never';
  const seconds = Math.max(0, Math.round((Date.now() - new Date(date).getTime()) / 1000));
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86400)} d ago`;
}

/** Replaces the page's content and moves focus to it, titled for screen readers and tabs. */
export function show(title, ...nodes) {
  document.title = title ? `${title} · Railyard` : 'Railyard';
  const main = document.getElementById('main');
  main.replaceChildren(...nodes);
}

/** A paragraph that shows an error's message (or nothing). */
export function errorLine() {
  const line = h('p', { class: 'error', role: 'alert' });
  line.show = (error) => { line.textContent = error ? (error.message ?? String(error)) : ''; };
  return line;
}

/** Runs `action` with `button` disabled, showing a failure in `errors`. */
export async function busy(button, errors, action) {
  button.disabled = true;
  errors?.show(null);
  try { return await action(); } catch (error) { errors?.show(error); } finally { button.disabled = false; }
}
