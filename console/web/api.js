// @ts-check
// Talking to the console's API: the session cookie goes along by itself, the CSRF token on every action.

/** @type {{ csrf?: string, allowActions: boolean, operator: string }} */
export const session = { allowActions: false, operator: "" };

export class ApiError extends Error {
  /** @param {number} status @param {string} message */
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** JSON as unknown, for the caller to say what it expects. @param {string} text @returns {unknown} */
export function parseJson(text) {
  return JSON.parse(text);
}

/** @param {Response} res */
async function answer(res) {
  const text = await res.text();
  const body = res.headers.get("content-type")?.startsWith("application/json")
    ? parseJson(text)
    : { error: text };
  if (!res.ok) {
    const { error, hint } = /** @type {{ error?: string, hint?: string }} */ (body);
    throw new ApiError(res.status, [error ?? res.statusText, hint].filter(Boolean).join("; "));
  }
  return body;
}

/** @param {string} path @returns {Promise<unknown>} */
export async function get(path) {
  return answer(await fetch(path, { credentials: "same-origin", headers: { accept: "application/json" } }));
}

/** @param {string} path @param {unknown} [body] @returns {Promise<unknown>} */
export async function post(path, body = {}) {
  /** @type {Record<string, string>} */
  const headers = { "content-type": "application/json" };
  if (session.csrf) headers["x-csrf-token"] = session.csrf;
  return answer(
    await fetch(path, { method: "POST", credentials: "same-origin", headers, body: JSON.stringify(body) }),
  );
}

/** Fills `session` from the server; false when there is no session yet. */
export async function loadSession() {
  try {
    Object.assign(session, await get("/api/session"));
    return true;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return false;
    throw err;
  }
}

/** @param {string} token */
export async function login(token) {
  Object.assign(session, await post("/api/login", { token }));
}
