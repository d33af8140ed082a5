// Playlists: a kiosk page cycling reports full screen. Each report is an
// iframe; the next one loads hidden and is shown only once every chart in it
// has drawn, then the old one is removed (unloaded): never a blank frame. A
// report that fails to load (server restarting, an error page) is dropped
// and tried again later while the current one stays on screen.

/** How long a report may take to draw before its load counts as failed (ms). */
export const LOAD_TIMEOUT_MS = 30000;
/** How often the page looks at the clock and at the loading report (ms). */
export const CHECK_MS = 250;

/** The wait before trying a failed report again: at most 10 s. */
export function retryDelay(everyMs) {
  return Math.min(everyMs, 10000);
}

/** The schedule's start: nothing shown, the first report due now. */
export function createSchedule(count, everyMs, now) {
  return { count: count, every: everyMs, shown: -1, loading: null, due: now, deadline: 0 };
}

/**
 * The schedule's next state and what to do, for `event` at `now` (ms):
 * "tick" (time passes), "ready" (the loading report has drawn) or "failed".
 * Actions: {type: "load", index}, {type: "show", index} (show it, then
 * remove the one shown before), {type: "drop", index} (remove the loading
 * one) or null.
 */
export function step(state, event, now) {
  const next = Object.assign({}, state);
  if (event === "tick") {
    if (state.loading !== null) {
      if (now < state.deadline) return { state: next, action: null };
      return step(state, "failed", now);
    }
    const cycling = state.shown < 0 || state.count > 1;
    if (!cycling || now < state.due) return { state: next, action: null };
    next.loading = (state.shown + 1) % state.count;
    next.deadline = now + LOAD_TIMEOUT_MS;
    return { state: next, action: { type: "load", index: next.loading } };
  }
  if (state.loading === null) return { state: next, action: null };
  const index = state.loading;
  next.loading = null;
  if (event === "ready") {
    next.shown = index;
    next.due = now + state.every;
    return { state: next, action: { type: "show", index: index } };
  }
  next.due = now + retryDelay(state.every);
  return { state: next, action: { type: "drop", index: index } };
}

/** Whether a chart container shows something: its state is known and not
 *  loading, and it holds a drawing (or says why it cannot). */
export function chartDrawn(el) {
  const state = el.getAttribute("data-fpe-state");
  if (!state || state === "loading") return false;
  if (state === "error") return true;
  return Array.from(el.children).some((child) =>
    child.tagName !== "SCRIPT" && !child.classList.contains("fpe-state"));
}

/** "ready", "failed" or "waiting": how the report in `frame` is doing. */
export function frameStatus(frame, loaded) {
  let doc = null;
  try {
    doc = frame.contentDocument;
  } catch (error) {
    return "failed"; // an error page of another origin
  }
  if (!loaded) return "waiting";
  if (!doc || !doc.body) return "failed";
  const charts = doc.querySelectorAll("[data-chart], .fpe-chart");
  if (!charts.length) return "failed"; // not a report: an error page
  return Array.from(charts).every(chartDrawn) ? "ready" : "waiting";
}

/** Run the playlist of `stage` (`[data-fpe-playlist]`). */
export function wirePlaylist(stage) {
  const script = stage.querySelector(".fpe-playlist-reports");
  const reports = script ? JSON.parse(script.textContent) : [];
  const every = Number(stage.getAttribute("data-every")) * 1000;
  if (!reports.length || !(every > 0)) return;
  let state = createSchedule(reports.length, every, Date.now());
  let shown = null;
  let loading = null;

  const apply = function (action) {
    if (!action) return;
    if (action.type === "load") {
      const frame = stage.ownerDocument.createElement("iframe");
      frame.className = "fpe-playlist-frame";
      frame.title = String(reports[action.index].title || "");
      frame.setAttribute("data-fpe-index", String(action.index));
      frame.addEventListener("load", () => { frame.fpeLoaded = true; });
      frame.src = reports[action.index].url;
      stage.appendChild(frame);
      loading = frame;
    } else if (action.type === "show") {
      loading.classList.add("fpe-playlist-frame--shown");
      if (shown) shown.remove();
      shown = loading;
      loading = null;
    } else if (action.type === "drop") {
      loading.remove();
      loading = null;
    }
  };
  const check = function () {
    const now = Date.now();
    if (loading) {
      const status = frameStatus(loading, loading.fpeLoaded);
      if (status !== "waiting") {
        const result = step(state, status === "ready" ? "ready" : "failed", now);
        state = result.state;
        apply(result.action);
      }
    }
    const result = step(state, "tick", now);
    state = result.state;
    apply(result.action);
  };
  check();
  setInterval(check, CHECK_MS);
}
