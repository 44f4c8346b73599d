// Sign in with an API token; the server answers with an HttpOnly session cookie (the token is not kept by the page).
import { h, mount } from '../dom.js';
import { session, signIn } from '../api.js';
import { errorBox } from '../components.js';

export async function render(main, route) {
  route.title('Sign in');
  const next = route.query.get('next');
  const target = next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
  if (session().auth === 'none') {
    mount(main, h('h1', null, 'Sign in'), h('p', null, 'This server has no API tokens: it listens on loopback only and you are the local admin. ',
      h('a', { href: target }, 'Continue'), '.'));
    return;
  }
  const message = h('div', { 'aria-live': 'polite' });
  const input = h('input', { type: 'password', id: 'token', name: 'token', autocomplete: 'current-password', required: true,
    placeholder: 'API token' });
  const form = h('form', {
    class: 'login card',
    onsubmit: async (e) => {
      e.preventDefault();
      mount(message);
      try {
        await signIn(input.value.trim());
        input.value = '';
        document.dispatchEvent(new Event('kiln:session'));
        route.navigate(target, { replace: true });
      } catch (err) {
        mount(message, errorBox(err));
      }
    },
  },
  h('h1', null, 'Sign in to Kiln'),
  h('label', { for: 'token' }, 'API token'),
  input,
  h('p', { class: 'muted' }, 'An admin makes one with ', h('code', null, 'kiln server token add NAME --role viewer|editor|admin'),
    '. The page keeps only a session cookie, never the token.'),
  h('button', { type: 'submit', class: 'primary' }, 'Sign in'),
  message);
  mount(main, form);
  input.focus();
}
