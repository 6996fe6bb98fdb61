// A service's variables in an environment: masked by default, revealed on request (needs the
// variables.reveal permission), set and deleted one at a time; references (${{shared.NAME}},
// ${{service.NAME}}) are stored as written and resolved at deploy time.
import { api } from './api.js';
import { h, errorLine, busy } from './ui.js';

export function variablesTab({ path, body }) {
  const errors = errorLine();
  const rows = h('tbody');
  const notice = h('p', { class: 'muted', id: 'variables-notice', role: 'status' });
  let revealed = false;
  const reveal = h('button', { type: 'button', id: 'variables-reveal' }, 'Reveal values');
  reveal.addEventListener('click', () => busy(reveal, errors, async () => { revealed = !revealed; await load(); }));

  const key = h('input', { name: 'key', id: 'variable-key', placeholder: 'KEY', required: true, pattern: '[A-Za-z_][A-Za-z0-9_]*', 'aria-label': 'Key' });
  const value = h('input', { name: 'value', id: 'variable-value', placeholder: 'value or ${{shared.NAME}}', 'aria-label': 'Value' });
  const save = h('button', { type: 'submit', class: 'primary', id: 'variable-save' }, 'Set');
  const form = h('form', { class: 'inline', id: 'variable-form' }, key, value, save);
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(save, errors, async () => {
      const answer = await api('PATCH', `${path}/variables`, { set: { [key.value]: value.value } });
      key.value = ''; value.value = '';
      notice.textContent = answer.usedBy?.length ? `Referenced by ${answer.usedBy.join(', ')}: they see it once redeployed.` : 'Saved; the next deployment sees it.';
      await load();
    });
  });

  async function load() {
    const list = await api('GET', `${path}/variables${revealed ? '?reveal=true' : ''}`);
    reveal.textContent = revealed ? 'Mask values' : 'Reveal values';
    rows.replaceChildren(...list.variables.map((variable) => {
      const remove = h('button', { type: 'button', class: 'danger', 'aria-label': `Delete ${variable.key}` }, 'Delete');
      remove.addEventListener('click', () => {
        if (!confirm(`Delete ${variable.key}?`)) return;
        busy(remove, errors, async () => { await api('PATCH', `${path}/variables`, { delete: [variable.key] }); await load(); });
      });
      const isReference = !variable.masked && variable.value.includes('${{');
      return h('tr', { dataset: { key: variable.key } },
        h('td', { class: 'mono' }, variable.key),
        h('td', { class: 'mono value' }, variable.value, isReference ? h('span', { class: 'badge' }, 'reference') : null),
        h('td', {}, remove));
    }));
    if (!list.variables.length) rows.append(h('tr', {}, h('td', { colspan: '3', class: 'muted' }, 'No variables yet.')));
  }
  body.append(h('div', { class: 'row spread' }, h('h2', {}, 'Variables'), reveal), form, errors, notice,
    h('table', { id: 'variables' }, h('thead', {}, h('tr', {}, h('th', {}, 'Key'), h('th', {}, 'Value'), h('th', {}, ''))), rows),
    h('p', { class: 'muted' }, 'Refer to other variables with ${{shared.NAME}}, ${{service.NAME}} or ${{NAME}}; references are filled in at deploy time.'));
  load().catch((error) => errors.show(error));
}
