// Small helpers every module uses: URLs, attributes, back-off, events, types.

import { t } from "./messages.js";

const MAX_BACKOFF = 30000;

export function absolute(url, base) {
  return new URL(url, base || document.baseURI).href;
}

/** `/charts/api/charts/sales` -> {base: ".../charts/api/", name: "sales"}. */
export function splitChartUrl(url) {
  const match = /^(.*\/)charts\/([^/?#]+)\/?(?:[?#].*)?$/.exec(url);
  return match ? { base: match[1], name: decodeURIComponent(match[2]) } : null;
}

export function attr(el, name) {
  const own = el.getAttribute(name);
  if (own) return own;
  return document.body ? document.body.getAttribute(name) : null;
}

export function backoff(failures, base) {
  const delay = Math.min(base * Math.pow(2, failures), MAX_BACKOFF);
  return delay * (0.9 + Math.random() * 0.2);
}

/** The back-off after a failed request, at least its `Retry-After` (429, 503). */
export function retryDelay(result, failures, base) {
  return Math.max(backoff(failures, base), 1000 * (result.retryAfter || 0));
}

export function errorMessage(error) {
  if (error && error.message) return error.message;
  return String(error || t("error.unknown"));
}

export function emit(el, type, detail) {
  el.dispatchEvent(new CustomEvent("fpe:" + type, { bubbles: true, detail: detail }));
}

export function isObject(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

export function asArray(value) {
  if (Array.isArray(value)) return value;
  return value == null ? [] : [value];
}

/**
 * Milliseconds from `now` (ms of the wall clock) to the first whole multiple
 * of `period` at least `least` ms away. Timers of motion (a table's steps, a
 * number card's roll) fall on these beats: every change makes the browser
 * draw a frame (and upload every canvas of the page) again, so changes on
 * the same beat, or with a screen's clock tick (on the second), share it.
 */
export function msToBeat(now, period, least) {
  const at = now + least;
  const rest = ((at % period) + period) % period;
  return least + (rest ? period - rest : 0);
}
