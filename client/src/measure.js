// Text measurement on a canvas that is replaced as it is used.
//
// Chromium keeps the shaping of every string measured on a canvas until that
// canvas draws a frame; a canvas kept only to measure (ECharts' own, ours)
// never does, so a live page's ever-new labels (times, amounts) grew Blink's
// heap for as long as the page ran. A fresh canvas every few hundred
// measurements lets the old one's shapes go with it.

export const MEASURES_PER_CANVAS = 500;
const LABEL_SIZE = 12;              // px: ECharts' label font,
const LABEL_FAMILY = "sans-serif";  // in its default family
const DEFAULT_FONT = LABEL_SIZE + "px " + LABEL_FAMILY;

/**
 * A `measureText(text, font)` that measures on `createContext()`'s canvas and
 * takes a new one every `every` measurements. Without a canvas (no DOM), it
 * estimates: `font`'s size per character.
 */
export function createMeasurer(createContext, every = MEASURES_PER_CANVAS) {
  let context = null;
  let font = null;
  let used = 0;
  return function measureText(text, cssFont) {
    const wanted = cssFont || DEFAULT_FONT;
    if (!context || used >= every) {
      context = createContext();
      font = null;
      used = 0;
    }
    if (!context) return { width: String(text).length * fontSize(wanted) };
    used += 1;
    if (font !== wanted) context.font = font = wanted;
    return context.measureText(String(text));
  };
}

/** The pixel size a CSS font names ("bold 14px serif" is 14), else ECharts' 12. */
export function fontSize(cssFont) {
  const match = /(\d+(?:\.\d+)?)px/.exec(cssFont);
  return match ? Number(match[1]) : LABEL_SIZE;
}

function newContext() {
  return typeof document === "undefined" ? null : document.createElement("canvas").getContext("2d");
}

/** The page's one measurer: ours, and ECharts' once `useForECharts` ran. */
export const measureText = createMeasurer(newContext);

/** Makes ECharts (zrender) measure with `measureText`, not its lifelong canvas. */
export function useForECharts(echarts) {
  if (echarts && typeof echarts.setPlatformAPI === "function") echarts.setPlatformAPI({ measureText });
}
