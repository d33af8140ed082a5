/**
 * Flask-PyEcharts client runtime: mounts live ECharts charts described by the
 * Flask-PyEcharts JSON API (docs/protocol.md). No dependencies besides echarts.
 * The entry of the bundle: wires the page and sets window.FlaskPyecharts.
 */

import {
  instance, mount, mountAll, on, pause, refresh, resume, setPollInterval, status, unmount,
} from "./api.js";
import { wireDashboard } from "./dashboard.js";
import { wireFilters } from "./filters.js";
import { useForECharts } from "./measure.js";
import { wirePlaylist } from "./playlist.js";
import { onPress, release } from "./presses.js";
import { scheduleRenewal } from "./renewal.js";
import { wireScreen } from "./screen.js";
import { wireNav } from "./site.js";
import { charts, connections } from "./state.js";
import { setTheme } from "./theme.js";
import { dropMisspelt, onPopState, readDeclarations, setVariables, variables } from "./variables.js";

function onVisibility() {
  if (document.hidden) return;
  connections.forEach((connection) => connection.pollNow());
  charts.forEach((chart) => {
    if (!chart.connection && chart.doc && chart.url && !chart.base) chart.scheduleDocumentPoll(0);
  });
}

/** Back online (the device's network came back): reconnect at once rather
 * than wait for a stream's silence to tell that it died. */
function onOnline() {
  connections.forEach((connection) => connection.reconnect());
}

/** Mount charts added to the page later, unmount the removed ones. */
function watchDom() {
  if (typeof MutationObserver === "undefined") return;
  new MutationObserver(function (records) {
    let removed = false;
    records.forEach(function (record) {
      record.addedNodes.forEach((node) => { if (node instanceof Element) mountAll(node); });
      if (record.removedNodes.length) removed = true;
    });
    if (removed) charts.forEach((chart, el) => { if (!el.isConnected) unmount(el); });
  }).observe(document.body, { childList: true, subtree: true });
}

function init() {
  dropMisspelt(document.body);
  readDeclarations(document);
  document.addEventListener("pointerdown", onPress, true);
  ["pointerup", "pointercancel", "blur"].forEach((name) => window.addEventListener(name, release, true));
  const dashboard = document.querySelector("[data-fpe-dashboard]");
  if (dashboard) wireDashboard(dashboard);
  const screen = document.querySelector("[data-fpe-screen]");
  if (screen) {  // before the charts are made: they render at its pixel ratio
    const theme = screen.getAttribute("data-theme") === "dark" ? "dark" : null;
    setTheme(theme);
    wireScreen(screen, () => setTheme(theme));
  }
  document.querySelectorAll("[data-fpe-filters]").forEach(wireFilters);
  if (document.querySelector("[data-fpe-nav]")) wireNav(document);
  document.querySelectorAll("[data-fpe-playlist]").forEach(wirePlaylist);
  document.addEventListener("visibilitychange", onVisibility);
  window.addEventListener("online", onOnline);
  window.addEventListener("popstate", onPopState);
  mountAll(document);
  watchDom();
  scheduleRenewal();
}

window.FlaskPyecharts = {
  version: "0.1.0",
  mount: mount,
  unmount: unmount,
  mountAll: mountAll,
  pause: pause,
  resume: resume,
  refresh: refresh,
  instance: instance,
  status: status,
  on: on,
  setInterval: setPollInterval,
  setTheme: setTheme,
  setVariables: setVariables,
  variables: variables,
};

useForECharts(window.echarts);

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
else init();
