// Dark pages: the option as shown on a dark background, and the page's theme
// (the dashboard's toggle, remembered in localStorage).

import { charts, page } from "./state.js";
import { t } from "./messages.js";
import { isObject } from "./util.js";

const DARK_TEXT = "#e6e8eb";
const THEME_KEY = "flask-pyecharts-theme";
/** Where a "color" is a text colour. */
const TEXT_HOLDERS = new Set([
  "label", "textStyle", "subtextStyle", "detail", "title", "axisLabel", "nameTextStyle",
  "edgeLabel", "upperLabel", "pageTextStyle", "rich",
]);
/** Keys never walked: data, however large, holds no theme colours. */
const NOT_STYLE = new Set(["data", "links", "edges", "nodes", "categories"]);

/** A black or dark grey CSS colour (pyecharts' "#333", "#464646", "black"...). */
export function isDarkGrey(value) {
  if (typeof value !== "string") return false;
  let rgb = null;
  const text = value.trim().toLowerCase();
  if (text === "black") return true;
  let match = /^#([0-9a-f]{3}|[0-9a-f]{6})$/.exec(text);
  if (match) {
    const hex = match[1].length === 3 ? match[1].replace(/./g, "$&$&") : match[1];
    rgb = [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16));
  } else if ((match = /^rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(text))) {
    rgb = [match[1], match[2], match[3]].map(Number);
  }
  if (!rgb) return false;
  return Math.max.apply(null, rgb) < 120 && Math.max.apply(null, rgb) - Math.min.apply(null, rgb) < 24;
}

/** `value` with the dark text colours under text holders made light (copied on write). */
export function lightenText(value, inText, depth) {
  if (depth > 12) return value;
  let copy = null;
  const set = (key, next) => {
    if (!copy) copy = Array.isArray(value) ? value.slice() : Object.assign({}, value);
    copy[key] = next;
  };
  Object.keys(value).forEach(function (key) {
    if (NOT_STYLE.has(key)) return;
    const item = value[key];
    if (key === "color" && inText && isDarkGrey(item)) return set(key, DARK_TEXT);
    if (item !== null && typeof item === "object") {
      const next = lightenText(item, inText || TEXT_HOLDERS.has(key), depth + 1);
      if (next !== item) set(key, next);
    }
  });
  return copy || value;
}

/**
 * The option as shown on a dark page: a transparent background (the page's
 * shows through) and text colours that pyecharts sets dark made light. The
 * stored option stays as built.
 */
export function darkOption(option) {
  const shown = Object.assign({}, lightenText(option, false, 0));
  // A timeline's option lives in baseOption (ECharts ignores the root's).
  const base = isObject(shown.baseOption) ? "baseOption" : null;
  const holder = base ? shown.baseOption : shown;
  if (holder.backgroundColor !== undefined) return shown;
  const transparent = Object.assign({}, holder, { backgroundColor: "transparent" });
  return base ? Object.assign(shown, { baseOption: transparent }) : transparent;
}

/** Force a theme on every chart ("dark"), or null for each chart's own. */
export function setTheme(name) {
  page.theme = name || null;
  charts.forEach((chart) => { if (chart.option) chart.schedule("option"); });
}

function storedTheme() {
  try { return window.localStorage.getItem(THEME_KEY); } catch (e) { return null; }
}

export function storeTheme(value) {
  try { window.localStorage.setItem(THEME_KEY, value); } catch (e) { /* private mode */ }
}

export function initialTheme() {
  const stored = storedTheme();
  if (stored === "dark" || stored === "light") return stored;
  const dark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
  return dark ? "dark" : "light";
}

export function applyPageTheme(root, value) {
  document.documentElement.setAttribute("data-fpe-theme", value);
  const button = root.querySelector("[data-fpe-theme-toggle]");
  if (button) {
    button.setAttribute("aria-pressed", String(value === "dark"));
    button.textContent = t(value === "dark" ? "control.light" : "control.dark");
  }
  setTheme(value === "dark" ? "dark" : null);
}
