// Pages left on for days (wall screens) are renewed now and then.
//
// Dashboards renew their charts: ECharts instances grow over days of updates
// (their users re-create charts every few hours, the usual cure for screens
// that slow down and crash); a renewed chart is a new instance drawing the
// same option, with the same points and stream positions, in one task: no
// blank frame, nothing asked of the server.
//
// Screens and kiosk pages, which nobody scrolls or clicks, renew the whole
// document: what the browser keeps for a document (text, styles, layout) is
// only given back when the document goes. The page's URL (its variables
// included) loads in a hidden frame over it, shown once every chart in it has
// drawn (loaded again if the variables changed meanwhile); then the page's
// own content, or the frame shown before, is removed.
// The new document fetches its charts' windows and resumes their streams from
// there: every point once. `window.FlaskPyecharts` becomes the shown frame's.

import { CHECK_MS, LOAD_TIMEOUT_MS, frameStatus } from "./playlist.js";
import { charts } from "./state.js";

const DEFAULT_RENEW_AFTER_S = 3 * 3600;
const RENEW_SPACING_MS = 100;     // one chart at a time, not every chart in one frame
const RETRY_MS = 60000;           // a renewal that failed (server away) is tried again after this
/** The attribute of a renewal's frame: its document leaves renewals to the host. */
export const RENEWAL_FRAME = "data-fpe-renewal";

/** Seconds between renewals: `data-renew-after` (0: never), else three hours. */
export function renewAfter(value) {
  const seconds = parseFloat(value);
  return seconds >= 0 ? seconds : DEFAULT_RENEW_AFTER_S;
}

/** Whether `body`'s page renews as a new document (screens, kiosk pages). */
export function renewsDocument(body) {
  return body.hasAttribute("data-fpe-screen") || body.classList.contains("fpe-kiosk");
}

/** The window hosting `win` as a renewal's frame, else null. */
export function renewalHost(win) {
  let frame = null;
  try {
    frame = win.frameElement;  // null in a frame of another origin
  } catch (error) {
    return null;
  }
  return frame && frame.hasAttribute(RENEWAL_FRAME) ? win.parent : null;
}

/** Renew every chart of the page, one after another. */
export function renewAll() {
  let delay = 0;
  charts.forEach((chart) => {
    setTimeout(() => chart.renew(), delay);
    delay += RENEW_SPACING_MS;
  });
}

/** Show `frame` in place of everything else on the page, and hand it the page's API. */
function show(frame) {
  frame.classList.add("fpe-renewal-frame--shown");
  // Charts removed from the page are unmounted (index.js): their streams close.
  Array.from(document.body.children).forEach((child) => { if (child !== frame) child.remove(); });
  const inner = frame.contentWindow;
  if (inner.FlaskPyecharts) window.FlaskPyecharts = inner.FlaskPyecharts;
  inner.focus();
}

/** Load the page again in a hidden frame and show it once drawn: `done(shown)`. */
export function renewDocument(done) {
  const frame = document.createElement("iframe");
  frame.className = "fpe-renewal-frame";
  frame.setAttribute(RENEWAL_FRAME, "");
  frame.setAttribute("allow", "fullscreen");
  frame.title = document.title;
  frame.addEventListener("load", () => { frame.fpeLoaded = true; });
  frame.src = window.location.href;
  document.body.appendChild(frame);
  const deadline = Date.now() + LOAD_TIMEOUT_MS;
  const check = () => {
    const status = frameStatus(frame, frame.fpeLoaded);
    if (status === "waiting" && Date.now() < deadline) return void setTimeout(check, CHECK_MS);
    const stale = frame.src !== window.location.href;  // variables changed meanwhile
    if (status === "ready" && !stale) show(frame);
    else frame.remove();
    if (status === "ready" && stale) renewDocument(done);
    else done(status === "ready");
  };
  setTimeout(check, CHECK_MS);
}

/** Renew the page every `data-renew-after` seconds (the body's). */
export function scheduleRenewal() {
  if (renewalHost(window)) return;  // the host renews it
  const body = document.body;
  const seconds = renewAfter(body && body.getAttribute("data-renew-after"));
  if (!seconds) return;
  const wholePage = renewsDocument(body);
  const renew = () => {
    if (!wholePage) {
      renewAll();
      setTimeout(renew, seconds * 1000);
    } else {
      renewDocument((shown) => setTimeout(renew, shown ? seconds * 1000 : RETRY_MS));
    }
  };
  setTimeout(renew, seconds * 1000);
}
