// The admin API client: same-origin fetches of /api/v1, JSON in and out. When the API answers
// 401 the page asks for the token once (askToken), keeps it for this tab in sessionStorage and
// sends it as a bearer header, never in a URL. Errors carry the API's own words.

const TOKEN_KEY = 'lsc.apiToken';

/** An error answered by the API: `message` is the API's error.message. */
export class APIError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export class APIClient {
  /** `askToken`: async () => string|null, shown when the API needs a token. */
  constructor({ askToken, storage = sessionStorage, base = '' } = {}) {
    this.askToken = askToken;
    this.storage = storage;
    this.base = base;
    this.asking = null;
  }

  get token() { return this.storage.getItem(TOKEN_KEY); }

  async get(path) { return this.request('GET', path); }
  async post(path, body) { return this.request('POST', path, body); }
  async delete(path) { return this.request('DELETE', path); }

  async request(method, path, body) {
    for (let attempt = 0; ; attempt++) {
      const headers = { Accept: 'application/json' };
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      const token = this.token;
      if (token) headers.Authorization = `Bearer ${token}`;
      const response = await fetch(this.base + path, {
        method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store', credentials: 'same-origin',
      });
      if (response.status === 401 && attempt < 3 && this.askToken) {
        // One question for all requests waiting on the token.
        this.asking ??= this.askToken(token ? 'The token was not accepted.' : 'This API needs a token.').finally(() => { this.asking = null; });
        const entered = await this.asking;
        if (!entered) throw new APIError(401, 'unauthorized', 'a token is required');
        this.storage.setItem(TOKEN_KEY, entered.trim());
        continue;
      }
      const text = await response.text();
      let json = null;
      try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
      if (!response.ok) {
        const error = json && json.error;
        throw new APIError(response.status, error?.code ?? 'http', error?.message ?? `${response.status} ${response.statusText}`);
      }
      return json;
    }
  }
}
