// Screens (数据大屏): a page laid out at its design size and scaled to the
// window, a live clock, full screen on F/Enter or a double click, and a
// cursor that hides when idle. Canvases render at device pixels: charts are
// created with devicePixelRatio = the window's × the page's scale, so a
// 1920×1080 screen stays sharp on a 3840×2160 display (nothing is a scaled bitmap).

/** The modes of `fit`: whole and centred, to the width, to the height, or both. */
export const FITS = ["contain", "width", "height", "stretch"];
export const IDLE_MS = 3000;        // the cursor hides after this long without a move
const MAX_PIXEL_RATIO = 6;          // a bound on the canvases' memory

/**
 * How a design of `design` size ({width, height}) meets a `view` of another
 * size: the scale on each axis and the offset of the scaled page (centred on
 * the axis the fit leaves free).
 */
export function fitScale(fit, design, view) {
  const fx = view.width / design.width;
  const fy = view.height / design.height;
  let sx, sy;
  if (fit === "stretch") [sx, sy] = [fx, fy];
  else if (fit === "width") sx = sy = fx;
  else if (fit === "height") sx = sy = fy;
  else sx = sy = Math.min(fx, fy);
  const left = Math.max(0, (view.width - design.width * sx) / 2);
  const top = Math.max(0, (view.height - design.height * sy) / 2);
  return { sx, sy, left, top };
}

/** The CSS transform that places the design-size page per `fitScale`. */
export function stageTransform(scale) {
  const px = (value) => Math.round(value * 100) / 100 + "px";
  return "translate(" + px(scale.left) + ", " + px(scale.top) + ") scale(" + scale.sx + ", " + scale.sy + ")";
}

/** The pixel ratio charts render at: device pixels per design pixel (bounded). */
export function pixelRatio(devicePixelRatio, scale) {
  const ratio = (devicePixelRatio || 1) * Math.max(scale.sx, scale.sy);
  return Math.min(MAX_PIXEL_RATIO, Math.max(1, Math.round(ratio * 1000) / 1000));
}

/** Date and time for the clock, in the page's language (24-hour clock). */
export function formatClock(date, locale, timeZone) {
  const format = new Intl.DateTimeFormat(locale || undefined, {
    year: "numeric", month: "2-digit", day: "2-digit", weekday: "short",
    hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23", timeZone,
  });
  return format.format(date);
}

/** Milliseconds until the next whole second: the clock ticks on the second. */
export function msToNextSecond(now) {
  return 1000 - (((now % 1000) + 1000) % 1000);
}

/** Whether a key press asks for full screen: F or Enter, no modifier, not typed into a field. */
export function isFullscreenKey(event) {
  if (event.ctrlKey || event.metaKey || event.altKey || event.repeat) return false;
  const target = event.target;
  if (target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName || "")) return false;
  return event.key === "f" || event.key === "F" || event.key === "Enter";
}

/** The screen's state, for the charts of the page (see chart.js). */
const screen = { ratio: 0 };

/** The pixel ratio charts on this page render at; 0 off screens (ECharts' own). */
export function screenPixelRatio() {
  return screen.ratio;
}

/**
 * Wire a screen page: `body` carries data-width, data-height and data-fit,
 * its [data-fpe-stage] is the design-size page. `onRatio(ratio)` is told when
 * the charts' pixel ratio changes after they were made (they are made again).
 */
export function wireScreen(body, onRatio) {
  const design = { width: Number(body.getAttribute("data-width")), height: Number(body.getAttribute("data-height")) };
  const fit = FITS.includes(body.getAttribute("data-fit")) ? body.getAttribute("data-fit") : "contain";
  const stage = body.querySelector("[data-fpe-stage]");
  if (!stage || !(design.width > 0 && design.height > 0)) return;
  let frame = 0;
  const place = () => {
    frame = 0;
    const root = document.documentElement;
    const scale = fitScale(fit, design, { width: root.clientWidth, height: root.clientHeight });
    stage.style.transform = stageTransform(scale);
    const ratio = pixelRatio(window.devicePixelRatio, scale);
    const previous = screen.ratio;
    screen.ratio = ratio;
    body.setAttribute("data-fpe-scale", String(Math.min(scale.sx, scale.sy)));
    if (previous && previous !== ratio && onRatio) onRatio(ratio);
  };
  place();
  window.addEventListener("resize", () => { if (!frame) frame = requestAnimationFrame(place); });
  startClock(body.querySelector("[data-fpe-clock]"));
  wireFullscreen(body);
  hideIdleCursor(body);
}

function startClock(el) {
  if (!el) return;
  const locale = document.documentElement.lang || undefined;
  const tick = () => {
    if (!el.isConnected) return;  // the page was renewed (renewal.js)
    const now = new Date();
    el.textContent = formatClock(now, locale);
    el.setAttribute("datetime", now.toISOString());
    setTimeout(tick, msToNextSecond(now.getTime()));
  };
  tick();
}

function toggleFullscreen() {
  const root = document.documentElement;
  if (document.fullscreenElement) {
    if (document.exitFullscreen) document.exitFullscreen().catch(() => {});
  } else if (root.requestFullscreen) {
    root.requestFullscreen().catch(() => {});  // refused without a user gesture
  }
}

function wireFullscreen(body) {
  document.addEventListener("keydown", (event) => {
    if (!isFullscreenKey(event)) return;
    event.preventDefault();
    toggleFullscreen();
  });
  body.addEventListener("dblclick", toggleFullscreen);
}

function hideIdleCursor(body) {
  let timer = 0;
  const wake = () => {
    body.classList.remove("fpe-idle");
    clearTimeout(timer);
    timer = setTimeout(() => body.classList.add("fpe-idle"), IDLE_MS);
  };
  ["pointermove", "pointerdown", "keydown"].forEach((name) => document.addEventListener(name, wake, { passive: true }));
  wake();
}
