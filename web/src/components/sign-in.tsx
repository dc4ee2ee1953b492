import { useState } from 'preact/hooks';
import { savedToken, saveToken } from '../api/client.js';

/**
 * Shown when the API answers 401: this meshtrace runs with `--auth-token`. The page itself loads
 * without the token (it holds no data); the token typed here is kept for this tab and sent with
 * every API request.
 */
export function SignIn() {
  const [token, setToken] = useState('');
  const refused = savedToken() !== undefined;
  return (
    <form class="sign-in" onSubmit={(e) => {
      e.preventDefault();
      if (token.trim() === '') return;
      saveToken(token.trim());
      location.reload();
    }}>
      <h2>Access token needed</h2>
      <p role="alert">
        {refused ? 'The access token this tab sent was refused. ' : ''}
        This meshtrace protects its data with a token (<code>--auth-token</code>, or <code>MESHTRACE_AUTH_TOKEN</code>).
        It is kept in this tab only.
      </p>
      <label for="access-token">Access token</label>
      <input id="access-token" type="password" autocomplete="current-password" value={token} onInput={(e) => setToken(e.currentTarget.value)} />
      <button type="submit">Sign in</button>
    </form>
  );
}
