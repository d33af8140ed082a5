// The dashboard header: the connection summary, the time of the last update,
// pause/resume, the polling interval and the light/dark toggle.

import { on, pause, resume, setPollInterval, status } from "./api.js";
import { DEFAULT_INTERVAL, connections, page } from "./state.js";
import { applyPageTheme, initialTheme, storeTheme } from "./theme.js";

/**
 * One line for the dashboard header: how the page is connected (from the
 * connections, so a failing builder never reads as a lost connection), then
 * how many charts fail or show an old option.
 */
function summarize() {
  const all = status();
  if (!all.length) return "No charts";
  const links = Array.from(connections.values());
  let text;
  if (page.pausedAll) text = "Paused";
  else if (links.some((link) => link.problem)) text = "Reconnecting…";
  else if (links.some((link) => link.mode === "poll")) text = "Polling every " + pollingInterval() / 1000 + " s";
  else if (links.some((link) => link.source && link.openedAt)) text = "Live";
  else if (links.length || all.some((item) => item.state === "loading")) text = "Connecting…";
  else text = "Up to date";
  const count = (state) => all.filter((item) => item.state === state).length;
  const problems = [];
  if (count("error")) problems.push(count("error") + " failing");
  if (count("stale")) problems.push(count("stale") + " stale");
  return problems.length ? text + " · " + problems.join(", ") : text;
}

function pollingInterval() {
  let shortest = Infinity;
  connections.forEach((connection) => { shortest = Math.min(shortest, connection.interval()); });
  return shortest === Infinity ? page.interval || DEFAULT_INTERVAL : shortest;
}

export function wireDashboard(root) {
  applyPageTheme(root, initialTheme());
  const updated = root.querySelector("[data-fpe-updated]");
  const connection = root.querySelector("[data-fpe-connection]");
  const toggle = root.querySelector("[data-fpe-toggle]");
  const interval = root.querySelector("[data-fpe-interval]");
  const themeButton = root.querySelector("[data-fpe-theme-toggle]");
  let summaryFrame = 0;
  const showSummary = () => {
    summaryFrame = 0;
    if (connection) connection.textContent = summarize();
    if (connection) connection.setAttribute("data-fpe-summary", page.pausedAll ? "paused" : "");
  };
  const refreshSummary = () => { if (!summaryFrame) summaryFrame = requestAnimationFrame(showSummary); };
  on("state", refreshSummary);
  on("connection", refreshSummary);
  on("update", function () {
    if (!updated) return;
    const now = new Date();
    updated.textContent = now.toLocaleTimeString();
    updated.setAttribute("datetime", now.toISOString());
  });
  if (toggle) {
    toggle.addEventListener("click", function () {
      if (page.pausedAll) resume(); else pause();
      toggle.setAttribute("aria-pressed", String(page.pausedAll));
      toggle.textContent = page.pausedAll ? "Resume" : "Pause";
      refreshSummary();
    });
  }
  if (interval) {
    interval.addEventListener("change", function () {
      setPollInterval(interval.value === "auto" ? null : interval.value);
      refreshSummary();
    });
  }
  if (themeButton) {
    themeButton.addEventListener("click", function () {
      const next = document.documentElement.getAttribute("data-fpe-theme") === "dark" ? "light" : "dark";
      storeTheme(next);
      applyPageTheme(root, next);
    });
  }
}
