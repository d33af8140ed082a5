// The public JavaScript API (window.FlaskPyecharts, docs/client.md): mount,
// unmount, pause, resume, refresh, the page's interval, status and events.

import { Chart } from "./chart.js";
import { MIN_INTERVAL, charts, connections, page } from "./state.js";

export const SELECTOR = "[data-chart], .fpe-chart";

export function mount(el, url, options) {
  if (!(el instanceof Element)) throw new TypeError("FlaskPyecharts.mount needs an element");
  if (charts.has(el)) return handle(charts.get(el));
  const chart = new Chart(el, url || el.getAttribute("data-chart"), options);
  charts.set(el, chart);
  chart.start();
  return handle(chart);
}

function handle(chart) {
  return {
    element: chart.el,
    get name() { return chart.name; },
    get state() { return chart.status.state; },
    instance: () => chart.instance,
    pause: () => chart.pause(),
    resume: () => chart.resume(),
    refresh: () => chart.refresh(),
    unmount: () => unmount(chart.el),
  };
}

export function unmount(el) {
  const chart = charts.get(el);
  if (!chart) return false;
  charts.delete(el);
  chart.destroy();
  return true;
}

export function mountAll(root) {
  const scope = root || document;
  const found = Array.from(scope.querySelectorAll(SELECTOR));
  if (scope instanceof Element && scope.matches(SELECTOR)) found.unshift(scope);
  return found.map((el) => mount(el));
}

function selected(el) {
  if (el) return charts.has(el) ? [charts.get(el)] : [];
  return Array.from(charts.values());
}

export function pause(el) {
  if (!el) page.pausedAll = true;
  selected(el).forEach((chart) => chart.pause());
}

export function resume(el) {
  if (!el) page.pausedAll = false;
  selected(el).forEach((chart) => chart.resume());
}

export function refresh(el) {
  selected(el).forEach((chart) => chart.refresh());
}

/** The polling interval of the page in seconds; null: the charts' refresh. */
export function setPollInterval(seconds) {
  const value = Number(seconds);
  page.interval = value > 0 ? Math.max(MIN_INTERVAL, value * 1000) : null;
  connections.forEach((connection) => connection.pollNow());
  charts.forEach((chart) => {
    if (!chart.connection && chart.doc && chart.url && !chart.base) chart.scheduleDocumentPoll(0);
  });
}


export function instance(el) {
  const chart = charts.get(el);
  return chart ? chart.instance : null;
}

export function status(el) {
  return selected(el).map((chart) => ({
    element: chart.el, chart: chart.name, state: chart.status.state,
    message: chart.status.message, transport: chart.connection ? chart.connection.mode : null,
    drawn: chart.isDrawn(),
  }));
}

export function on(type, fn) {
  const name = type.indexOf("fpe:") === 0 ? type : "fpe:" + type;
  const listener = (event) => fn(event.detail, event.target);
  document.addEventListener(name, listener);
  return () => document.removeEventListener(name, listener);
}
