// The one way the client asks the server for JSON.

import { t } from "./messages.js";

/** GET JSON; never throws for HTTP errors, only for network ones. */
export async function getJSON(url, etag, timeoutMs) {
  const headers = { Accept: "application/json" };
  if (etag) headers["If-None-Match"] = etag;
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs || 20000);
  try {
    // no-store: the browser cache must not answer our conditional request.
    const response = await fetch(url, {
      headers: headers, cache: "no-store", credentials: "same-origin",
      signal: abort.signal,
    });
    if (response.status === 304) return { status: 304, body: null };
    let body = null;
    try { body = await response.json(); } catch (e) { body = null; }
    if (!response.ok) {
      const message = body && body.error ? body.error : t("error.http", { status: response.status });
      const retryAfter = parseInt(response.headers.get("Retry-After"), 10);
      return { status: response.status, body: body, error: message, retryAfter: retryAfter > 0 ? retryAfter : 0 };
    }
    return { status: response.status, body: body, etag: response.headers.get("ETag") };
  } catch (error) {
    if (error && error.name === "AbortError") throw new Error(t("error.timeout"));
    throw new Error(t("error.network"));
  } finally {
    clearTimeout(timer);
  }
}
