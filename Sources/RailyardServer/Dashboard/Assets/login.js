// Log in (or create an account) with email and password; the session token goes to sessionStorage.
import { api, session } from './api.js';
import { h, show, errorLine, busy } from './ui.js';

export function loginView() {
  const errors = errorLine();
  const email = h('input', { type: 'email', name: 'email', autocomplete: 'username', required: true });
  const password = h('input', { type: 'password', name: 'password', autocomplete: 'current-password', required: true, minlength: '8' });
  let signingUp = false;
  const submit = h('button', { type: 'submit', class: 'primary', id: 'login-submit' }, 'Log in');
  const toggle = h('button', { type: 'button', id: 'login-toggle' }, 'Create an account instead');
  toggle.addEventListener('click', () => {
    signingUp = !signingUp;
    submit.textContent = signingUp ? 'Create account' : 'Log in';
    toggle.textContent = signingUp ? 'I have an account' : 'Create an account instead';
    password.autocomplete = signingUp ? 'new-password' : 'current-password';
  });
  const form = h('form', { class: 'stack', id: 'login-form' },
    h('label', {}, 'Email', email),
    h('label', {}, 'Password', password),
    h('div', { class: 'row' }, submit, toggle),
    errors,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    busy(submit, errors, async () => {
      const body = { email: email.value, password: password.value };
      const answer = await api('POST', signingUp ? '/auth/signup' : '/auth/login', body);
      session.token = answer.token;
      location.hash = '#/';
    });
  });
  const github = h('p', { id: 'github-sign-in' });
  show('Log in', h('div', { class: 'panel' }, h('h1', {}, 'Log in to Railyard'), form, github));
  // The GitHub button shows only when the server has a GitHub app.
  api('GET', '/auth/methods').then((methods) => {
    if (methods.github) github.append(h('a', { class: 'button', href: '/api/v1/auth/github?next=dashboard' }, 'Continue with GitHub'));
  }).catch(() => {});
  email.focus();
}
