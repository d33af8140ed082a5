// The page's variables: one state for the URL, the filters, clicks and the API.

import { warnOnce } from "./functions.js";
import { getJSON } from "./http.js";
import { t } from "./messages.js";
import { renewalHost } from "./renewal.js";
import { charts, vars } from "./state.js";
import { asArray, emit, isObject } from "./util.js";

const MAX_VALUE_LENGTH = 200;     // the longest text value the server accepts

const VALUE_PATTERNS = {
  int: /^-?[0-9]{1,18}$/,
  float: /^-?[0-9]{1,20}(\.[0-9]{1,17})?$/,
  date: /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/,
};

function urlParams() {
  return new URLSearchParams(window.location.search);
}

/** Names become variables: take their values from the page's URL. */
export function learn(names) {
  const params = urlParams();
  asArray(names).forEach(function (name) {
    if (typeof name !== "string" || vars.known.has(name)) return;
    vars.known.add(name);
    if (!vars.values.has(name) && params.has(name)) vars.values.set(name, params.get(name));
  });
}

/** Declarations from the page or the API: [{name, type, choices, default...}]. */
export function declare(list, complete) {
  asArray(list).forEach(function (item) {
    if (isObject(item) && typeof item.name === "string") vars.declared.set(item.name, item);
  });
  learn(asArray(list).map((item) => isObject(item) ? item.name : null));
  if (complete) vars.complete = true;
}

export function readDeclarations(root) {
  root.querySelectorAll("script.fpe-variables").forEach(function (script) {
    try { declare(JSON.parse(script.textContent), true); } catch (e) { warnOnce("invalid variable declarations"); }
  });
}

/** The API's declarations, asked once per API base when the page has none. */
export function fetchDeclarations(base) {
  if (base && !vars.base) vars.base = base;  // where children's choices are asked
  if (vars.complete || !base) return Promise.resolve();
  if (!vars.fetched.has(base)) {
    vars.fetched.set(base, getJSON(base + "charts").then(function (result) {
      if (!result.error && isObject(result.body)) declare(result.body.variables, true);
    }).catch(() => { vars.fetched.delete(base); }));
  }
  return vars.fetched.get(base);
}

/** The declared variables whose choices depend on `name`'s value, and theirs. */
export function descendants(declared, name) {
  const found = [];
  const visit = (parent) => declared.forEach(function (item, child) {
    if (item.parent === parent && found.indexOf(child) < 0) {
      found.push(child);
      visit(child);
    }
  });
  visit(name);
  return found;
}

/**
 * The variable among `names` (those a click on one field sets, in order) that
 * `value` goes to: the one that has it now (the click sets it back to its
 * default), else the first that allows it; `problem` when none does.
 */
export function clickTarget(names, value, current, refuse) {
  const held = names.find((name) => current(name) === value);
  if (held) return { name: held, value: null };
  const allowed = names.find((name) => !refuse(name, value));
  if (allowed) return { name: allowed, value: value };
  return { problem: refuse(names[0], value) };
}

/** Ask the API for the choices of the children of `changed` variables (their
 * parent's value is new), then tell the page. */
function refreshChildren(changed) {
  const stale = new Set();
  changed.forEach((name) => descendants(vars.declared, name).forEach((child) => stale.add(child)));
  if (!stale.size || !vars.base) return Promise.resolve();
  const query = keyOf(vars.values, Array.from(vars.known));
  return getJSON(vars.base + "charts" + (query ? "?" + query : "")).then(function (result) {
    if (result.error || !isObject(result.body)) return;
    const fresh = asArray(result.body.variables).filter((item) => isObject(item) && stale.has(item.name));
    fresh.forEach((item) => vars.declared.set(item.name, item));
    if (fresh.length) emit(document.documentElement, "declarations", { changed: fresh.map((item) => item.name) });
  }).catch(() => {});
}

/** The value a variable has now: the one chosen, else its default. */
export function effective(name) {
  if (vars.values.has(name)) return vars.values.get(name);
  const declared = vars.declared.get(name);
  return declared ? declared.default : null;
}

/** `a=1&b=2`: the chosen values of `names`, sorted (one spelling per variant). */
export function keyOf(values, names) {
  return Array.from(new Set(names)).filter((name) => values.has(name)).sort()
    .map((name) => encodeURIComponent(name) + "=" + encodeURIComponent(values.get(name)))
    .join("&");
}

/** Why `value` is not allowed for `name` ("" when it is, or when unknown). */
export function refusal(name, value) {
  const declared = vars.declared.get(name);
  if (!declared) return vars.complete ? t("filter.unknown", { name: JSON.stringify(name) }) : "";
  const label = declared.label || name;
  if (Array.isArray(declared.choices)) {
    const choices = declared.choices.slice(0, 10).join(", ") + (declared.choices.length > 10 ? ", …" : "");
    return declared.choices.indexOf(value) >= 0 ? ""
      : t("filter.not_allowed", { value: value, label: label, choices: choices });
  }
  const pattern = VALUE_PATTERNS[declared.type];
  if (pattern && !pattern.test(value)) return t("filter.not_valid", { value: value, label: label });
  if (!pattern && value.length > MAX_VALUE_LENGTH) return t("filter.too_long", { label: label });
  const number = (text) => declared.type === "date" ? text : Number(text);
  if (declared.min != null && number(value) < number(declared.min)) return t("filter.at_least", { label: label, min: declared.min });
  if (declared.max != null && number(value) > number(declared.max)) return t("filter.at_most", { label: label, max: declared.max });
  return "";
}

/** Put the chosen values in the page's URL (other parameters are kept). */
function writeUrl(mode) {
  if (!mode || !window.history || !window.history.pushState) return;
  const url = new URL(window.location.href);
  vars.known.forEach(function (name) {
    if (vars.values.has(name)) url.searchParams.set(name, vars.values.get(name));
    else url.searchParams.delete(name);
  });
  if (url.href === window.location.href) return;
  if (mode === "replace") window.history.replaceState(window.history.state, "", url.href);
  else window.history.pushState({ fpeVariables: true }, "", url.href);
  // A page renewed in a frame keeps its host's URL in step: the next renewal
  // (and a reload) opens it with the same variables.
  const host = renewalHost(window);
  if (host) host.history.replaceState(host.history.state, "", url.href);
}

/**
 * Set variables: `{region: "华东", days: 7}`; `null` (or the default) sets one
 * back to its default. Checked against the declarations first: throws for a
 * value that is not allowed, and changes nothing then. Reloads the charts
 * that use a changed variable; resolves once they have their new option.
 * options.history: "push" (default), "replace" or false (leave the URL).
 */
export function setVariables(changes, options) {
  const history = options && "history" in options ? options.history : "push";
  const next = new Map(vars.values);
  Object.keys(changes || {}).forEach(function (name) {
    const raw = changes[name];
    const value = raw === null || raw === undefined || raw === "" ? null : String(raw);
    const unknown = vars.complete && !vars.declared.has(name);
    const problem = unknown ? t("filter.unknown", { name: JSON.stringify(name) }) : value === null ? "" : refusal(name, value);
    if (problem) throw new RangeError("Flask-PyEcharts: " + problem);
    const declared = vars.declared.get(name);
    if (value === null || (declared && value === declared.default)) next.delete(name);
    else next.set(name, value);
    if (next.get(name) !== vars.values.get(name)) {  // a new parent: children start again
      descendants(vars.declared, name).forEach(function (child) {
        if (!(child in changes)) next.delete(child);
      });
    }
  });
  return applyVariables(next, history);
}

function applyVariables(next, history) {
  learn(Array.from(next.keys()));
  const changed = [];
  vars.known.forEach(function (name) {
    if (next.get(name) !== vars.values.get(name)) changed.push(name);
  });
  if (!changed.length) return Promise.resolve([]);
  vars.values = next;
  writeUrl(history);
  const reloads = [];
  charts.forEach(function (chart) {
    if (chart.usesAny(changed)) reloads.push(chart.reload());
  });
  emit(document.documentElement, "variables", { variables: variables(), changed: changed });
  reloads.push(refreshChildren(changed));
  return Promise.all(reloads).then(() => changed);
}

/** Every known variable with its current value. */
export function variables() {
  const result = {};
  vars.known.forEach(function (name) {
    const value = effective(name);
    if (value !== null && value !== undefined) result[name] = value;
  });
  return result;
}

/** Back and forward: the URL says which values the page shows. */
export function onPopState() {
  const params = urlParams();
  const next = new Map();
  vars.known.forEach(function (name) {
    if (params.has(name)) next.set(name, params.get(name));
  });
  applyVariables(next, false);
}

/** `href` without the query parameters `names` (others kept, in order). */
export function withoutParameters(href, names) {
  const url = new URL(href);
  asArray(names).forEach((name) => { if (typeof name === "string") url.searchParams.delete(name); });
  return url.href;
}

/**
 * Drop the parameters the server found misspelt (`data-fpe-misspelt` on the
 * page's body: a JSON list of names; the server says why) from the URL,
 * replacing its history entry: a reload or a shared link no longer has them.
 */
export function dropMisspelt(body) {
  const listed = body && body.getAttribute("data-fpe-misspelt");
  if (!listed || !window.history || !window.history.replaceState) return;
  let names;
  try { names = JSON.parse(listed); } catch (e) { return; }
  const href = withoutParameters(window.location.href, names);
  if (href !== window.location.href) window.history.replaceState(window.history.state, "", href);
}
