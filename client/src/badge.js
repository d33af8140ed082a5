// A chart's state badge ("Live", "Stale: ...") and the box ECharts draws in.

import { CLASSES } from "./classes.js";
import { t } from "./messages.js";

/** The badge's text of a state, in the page's language. */
export function stateText(state, message) {
  const name = t("state." + state);
  return message ? t("state.detail", { state: name, message: message }) : name;
}

export function createBadge(el) {
  const badge = document.createElement("div");
  badge.className = CLASSES.state;
  badge.setAttribute("role", "status");
  badge.setAttribute("aria-live", "polite");
  el.appendChild(badge);
  // Works without flask-pyecharts.css: minimal styles through the CSSOM.
  if (getComputedStyle(badge).position !== "absolute") {
    Object.assign(badge.style, {
      position: "absolute", top: "6px", right: "6px", zIndex: "10",
      font: "12px/1.4 system-ui, sans-serif", padding: "1px 8px",
      borderRadius: "10px", background: "rgba(128,128,128,.15)", pointerEvents: "none",
    });
  }
  return badge;
}

export function ensureContainer(el) {
  // Sizes as data attributes: a strict CSP (no 'unsafe-inline' styles)
  // blocks style="" attributes, not styles set through the CSSOM.
  const height = el.getAttribute("data-height");
  const width = el.getAttribute("data-width");
  if (height && CSS.supports("height", height)) el.style.height = height;
  if (width && CSS.supports("width", width)) el.style.width = width;
  if (getComputedStyle(el).position === "static") el.style.position = "relative";
  // ECharts cannot draw in a zero-height box (and warns about it).
  if (el.clientHeight === 0 && el.getClientRects().length) el.style.height = "400px";
}
