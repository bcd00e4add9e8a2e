// The REST API as the dashboard uses it: the session cookie signs requests in, and every mutating request
// carries the X-Warmpool-Csrf header the server requires of cookie-authenticated changes. Errors (RFC 9457
// problems, application/problem+json) become ApiError with a sentence for a person, never raw JSON.

export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

export async function api(method, path, body) {
  const headers = { Accept: 'application/json, application/problem+json' };
  if (method !== 'GET') {
    headers['X-Warmpool-Csrf'] = '1';
  }
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
  }
  let response;
  try {
    response = await fetch('/api/v1' + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch (e) {
    throw new ApiError('Cannot reach the warmpool service. Is it still running?', 0);
  }
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch (e) {
    data = null;
  }
  if (!response.ok) {
    throw new ApiError(describe(response.status, data), response.status);
  }
  return data;
}

function sentence(text) {
  if (!text) {
    return '';
  }
  const t = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(t) ? t : t + '.';
}

function describe(status, data) {
  const message = data && typeof data.detail === 'string' ? data.detail
    : data && typeof data.error === 'string' ? data.error : '';
  switch (status) {
    case 400: {
      const details = data && Array.isArray(data.errors)
        ? ' ' + data.errors.slice(0, 3).map((e) => `${e.field}: ${e.message}`).join('; ')
        : '';
      return (sentence(message) || 'The request was not valid.') + details;
    }
    case 401:
      return 'Your session has ended. Run ./warmpool dashboard for a new one-time sign-in link and open it to sign in again.';
    case 403:
      return sentence(message) || 'The request was refused.';
    case 404:
      return sentence(message) || 'Not found.';
    case 409:
      return sentence(message) || 'The current state does not allow this.';
    case 503:
      return 'The database is unavailable right now. Try again in a moment.';
    case 500:
      return 'The service hit an internal error; the details are in its log.';
    default:
      return sentence(message) || `The request failed (HTTP ${status}).`;
  }
}
