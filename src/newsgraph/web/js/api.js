// The API client: JSON over fetch; errors carry the API's {error: {code, message}}.

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function query(params) {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(params || {})) {
    if (value === null || value === undefined || value === "" || value === false) continue;
    if (Array.isArray(value)) value.forEach((v) => v !== "" && q.append(key, v));
    else q.append(key, value);
  }
  const s = q.toString();
  return s ? "?" + s : "";
}

export async function api(path, params) {
  let response;
  try {
    response = await fetch(path + query(params), { headers: { Accept: "application/json" }, credentials: "same-origin" });
  } catch (e) {
    throw new ApiError(0, "network", "The server cannot be reached. Is `newsgraph serve` running?");
  }
  let body = null;
  try {
    body = await response.json();
  } catch (e) {
    body = null;
  }
  if (!response.ok) {
    const err = body && body.error ? body.error : { code: "error", message: response.statusText };
    throw new ApiError(response.status, err.code, err.message);
  }
  return body;
}

const cache = new Map();

/** For small lists that rarely change within a visit (countries, narratives, outlets). */
export function cached(path, params) {
  const key = path + query(params);
  if (!cache.has(key)) cache.set(key, api(path, params).catch((e) => { cache.delete(key); throw e; }));
  return cache.get(key);
}
