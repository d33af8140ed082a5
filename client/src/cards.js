// Number cards (数字翻牌器): a document whose option has `card.type ===
// "number"` is drawn here instead of by ECharts (docs/protocol.md, "Number
// cards"). The figure rolls to each new value, the change against `previous`
// shows as an arrow and a percentage coloured by the page's convention, and
// `trend` as a sparkline. Text only through textContent.

import { localeOf, translate } from "./messages.js";
import { msToBeat } from "./util.js";

/** How long a roll to a new value lasts (ms). */
export const ROLL_MS = 1000;
/** A roll's pace (ms between two figures shown): a flip-counter's, not the
 *  screen's frame rate. Each figure makes the browser draw a frame of the
 *  whole page, canvases and all (on the demo screen the cards' figures were
 *  most of its frames): 5 a second, on whole fifths of the wall clock, so
 *  that the cards rolling at once (and a screen's clock, on the second)
 *  share their frames. */
export const ROLL_STEP_MS = 200;
/** The sparkline's drawing box (the SVG scales it to the card). */
export const SPARK = Object.freeze({ width: 100, height: 24, pad: 1.5 });

const SVG = "http://www.w3.org/2000/svg";
const CLASS = "fpe-number";

/** The card's locale from a `lang` attribute: Chinese or English. */
export const cardLocale = localeOf;

/** "1234567.891" -> "1,234,567.891" (digits before the point grouped by three). */
export function groupThousands(text) {
  const point = text.indexOf(".");
  const whole = point < 0 ? text : text.slice(0, point);
  return whole.replace(/\B(?=(\d{3})+$)/g, ",") + (point < 0 ? "" : text.slice(point));
}

/** Units a Chinese card abbreviates with, largest first. */
const ZH_UNITS = [[1e8, "亿"], [1e4, "万"]];

/** The unit of a size in Chinese: by the rounded figure, so 99,999,999 is
 *  1.00亿 (not 10,000.00万). */
function zhUnit(size) {
  for (let i = 0; i < ZH_UNITS.length; i++) {
    const base = ZH_UNITS[i][0];
    const below = ZH_UNITS[i + 1];
    if (size >= base || (below && Number((size / below[0]).toFixed(2)) * below[0] >= base)) {
      return ZH_UNITS[i];
    }
  }
  return null;
}

/**
 * A number as the card shows it, in parts: `sign` ("-" or ""), `number`
 * (grouped by thousands) and `unit` ("万", "亿" or ""). In Chinese, from
 * 10,000 on: x.xx万, from 100,000,000 on: x.xx亿; otherwise `digits` decimals.
 */
export function formatParts(value, digits, locale) {
  if (typeof value !== "number" || !isFinite(value)) return { sign: "", number: "–", unit: "" };
  const size = Math.abs(value);
  const unit = locale === "zh-CN" ? zhUnit(size) : null;
  const scaled = unit ? size / unit[0] : size;
  const places = unit ? 2 : Math.max(0, Math.min(6, digits | 0));
  const number = scaled >= 1e21 ? String(scaled) : groupThousands(scaled.toFixed(places));
  const zero = /^[0.,]*$/.test(number);
  return { sign: value < 0 && !zero ? "-" : "", number: number, unit: unit ? unit[1] : "" };
}

/** The whole text of a figure: sign, prefix, number, unit, suffix. */
export function formatNumber(value, card, locale) {
  const options = card || {};
  const parts = formatParts(value, options.digits, locale);
  return parts.sign + (options.prefix || "") + parts.number + parts.unit + (options.suffix || "");
}

/**
 * The change from `previous` to `value`: its direction ("up", "down",
 * "flat", or null without a previous value), percentage (of the previous
 * value's size; null from 0) and ratio (value / previous, when both are
 * positive; else null).
 */
export function change(value, previous) {
  if (typeof previous !== "number" || !isFinite(previous) || typeof value !== "number") {
    return { direction: null, percent: null, ratio: null };
  }
  const direction = value > previous ? "up" : value < previous ? "down" : "flat";
  const percent = previous === 0 ? null : ((value - previous) / Math.abs(previous)) * 100;
  const ratio = previous > 0 && value > 0 ? value / previous : null;
  return { direction: direction, percent: percent, ratio: ratio };
}

/** "12.3%" (one decimal, no sign: the arrow says which way). */
export function formatPercent(percent) {
  if (percent === null || !isFinite(percent)) return "";
  const size = Math.abs(percent);
  return groupThousands(size.toFixed(size >= 100 ? 0 : 1)) + "%";
}

/** From this rise on, a change reads as a multiple ("×714", not "71,311%"). */
export const MULTIPLE_FROM = 1000;

/** The text of a change: a percentage, or a multiple for a rise of 1,000 % and more. */
export function formatChange(moved) {
  const ratio = moved.ratio;
  if (moved.percent !== null && moved.percent >= MULTIPLE_FROM && ratio !== null && isFinite(ratio)) {
    return "×" + groupThousands(ratio.toFixed(ratio >= 100 ? 0 : 1));
  }
  return formatPercent(moved.percent);
}

/**
 * The colour of a change: a rise is `up` (the card's setting), else red in
 * Chinese (the Chinese convention) and green in English; a fall the other.
 */
export function changeColour(direction, up, locale) {
  if (direction !== "up" && direction !== "down") return null;
  const rise = up === "red" || up === "green" ? up : locale === "zh-CN" ? "red" : "green";
  if (direction === "up") return rise;
  return rise === "red" ? "green" : "red";
}

/** The arrow of a direction. */
export function arrow(direction) {
  return direction === "up" ? "▲" : direction === "down" ? "▼" : direction === "flat" ? "■" : "";
}

/** Ease out (cubic): fast at first, settling on the new value. */
export function easeOut(progress) {
  const t = Math.min(1, Math.max(0, progress));
  return 1 - Math.pow(1 - t, 3);
}

/** The value shown `elapsed` ms into a roll from `from` to `to`. */
export function rollValue(from, to, elapsed, duration) {
  if (!(duration > 0) || elapsed >= duration) return to;
  return from + (to - from) * easeOut(elapsed / duration);
}

/**
 * The sparkline of `values` as an SVG path in a `box` (width, height, pad):
 * the lowest value at the bottom, the highest at the top, a flat line in the
 * middle when they are all equal. "" for fewer than two values.
 */
export function sparkPath(values, box) {
  const size = box || SPARK;
  const points = (Array.isArray(values) ? values : []).filter((v) => typeof v === "number" && isFinite(v));
  if (points.length < 2) return "";
  const low = Math.min(...points);
  const high = Math.max(...points);
  const width = size.width - 2 * size.pad;
  const height = size.height - 2 * size.pad;
  const step = width / (points.length - 1);
  return points.map((v, i) => {
    const x = size.pad + i * step;
    const y = high === low ? size.height / 2 : size.pad + (1 - (v - low) / (high - low)) * height;
    return (i ? "L" : "M") + round(x) + " " + round(y);
  }).join("");
}

/** The area under the sparkline: its path closed along the bottom of the box. */
export function sparkArea(values, box) {
  const size = box || SPARK;
  const line = sparkPath(values, size);
  if (!line) return "";
  const first = line.slice(1, line.indexOf(" "));
  const last = line.slice(line.lastIndexOf("L") + 1, line.lastIndexOf(" "));
  return line + "L" + last + " " + size.height + "L" + first + " " + size.height + "Z";
}

function round(n) {
  return Math.round(n * 100) / 100;
}

/** The figures of a card option: value, previous (or null) and trend. */
export function cardFigures(option) {
  const series = option && Array.isArray(option.series) ? option.series : [];
  const data = (name) => {
    const found = series.find((item) => item && item.name === name);
    return found && Array.isArray(found.data) ? found.data : [];
  };
  const first = (list) => (typeof list[0] === "number" ? list[0] : null);
  return { value: first(data("value")), previous: first(data("previous")), trend: data("trend") };
}

/** Whether an option is a number card's. */
export function isNumberCard(option) {
  return !!option && typeof option.card === "object" && option.card !== null && option.card.type === "number";
}

/** Set a node's text only when it changes: a text written again is laid
 *  out and painted again. */
function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

/** Set an attribute only when it changes (see setText). */
function setAttribute(node, name, value) {
  if (node.getAttribute(name) !== value) node.setAttribute(name, value);
}

function element(tag, name, text) {
  const el = document.createElement(tag);
  el.className = name;
  if (text !== undefined) el.textContent = text;
  return el;
}

function reducedMotion() {
  return typeof matchMedia === "function" && matchMedia("(prefers-reduced-motion: reduce)").matches;
}

/**
 * A number card drawn in `host` (a chart's element). `show(option)` draws an
 * option (the first one at once, each later value rolled to); `drawn` is true
 * once nothing is moving; `destroy()` removes it.
 */
export class NumberCard {
  constructor(host) {
    this.host = host;
    this.frame = 0;
    this.shown = null;      // the value on screen
    this.target = null;     // the value rolled to
    this.from = null;
    this.started = 0;
    this.drawn = false;
    this.painted = "";      // the figure's text on the page
    this.fitted = -1;       // the length of the text the figure was fitted to
    this.settings = null;
    this.build();
  }

  build() {
    const root = this.root = element("div", CLASS);
    this.label = element("div", CLASS + "-label");
    const figure = this.figure = element("div", CLASS + "-figure");
    this.sign = element("span", CLASS + "-sign");
    this.prefix = element("span", CLASS + "-prefix");
    this.digits = element("span", CLASS + "-digits");
    this.unit = element("span", CLASS + "-unit");
    this.suffix = element("span", CLASS + "-suffix");
    [this.sign, this.prefix, this.digits, this.unit, this.suffix].forEach((part) => figure.appendChild(part));
    this.change = element("div", CLASS + "-change");
    this.spark = document.createElementNS(SVG, "svg");
    this.spark.setAttribute("class", CLASS + "-trend");
    this.spark.setAttribute("viewBox", "0 0 " + SPARK.width + " " + SPARK.height);
    this.spark.setAttribute("preserveAspectRatio", "none");
    this.spark.setAttribute("aria-hidden", "true");
    this.area = document.createElementNS(SVG, "path");
    this.area.setAttribute("class", CLASS + "-area");
    this.line = document.createElementNS(SVG, "path");
    this.line.setAttribute("class", CLASS + "-line");
    this.line.setAttribute("vector-effect", "non-scaling-stroke");
    this.spark.appendChild(this.area);
    this.spark.appendChild(this.line);
    [this.label, figure, this.change, this.spark].forEach((part) => root.appendChild(part));
    this.host.appendChild(root);
    if (typeof ResizeObserver !== "undefined") {
      this.resizes = new ResizeObserver(() => { if (this.settings) this.fit(); });
      this.resizes.observe(root);
    }
  }

  locale() {
    return cardLocale(document.documentElement.getAttribute("lang"));
  }

  /** Draw `option` (a card option): settings at once, the value rolled to. */
  show(option) {
    const card = option.card;
    const figures = cardFigures(option);
    const locale = this.locale();
    this.settings = { digits: card.digits, prefix: card.prefix || "", suffix: card.suffix || "" };
    setAttribute(this.root, "lang", locale);
    setText(this.label, typeof card.label === "string" ? card.label : "");
    this.label.hidden = !this.label.textContent;
    setText(this.prefix, this.settings.prefix);
    setText(this.suffix, this.settings.suffix);
    this.showChange(figures, card.up, locale);
    this.showTrend(figures.trend);
    this.rollTo(figures.value);
  }

  showChange(figures, up, locale) {
    const moved = change(figures.value, figures.previous);
    this.change.hidden = moved.direction === null;
    const colour = changeColour(moved.direction, up, locale);
    setAttribute(this.change, "class", CLASS + "-change" + (colour ? " " + CLASS + "-change--" + colour : "") +
      (moved.direction ? " " + CLASS + "-change--" + moved.direction : ""));
    const text = formatChange(moved);
    setText(this.change, arrow(moved.direction) + (text ? " " + text : ""));
    const said = moved.direction
      ? translate(locale, "card." + moved.direction, { change: text }).trim()
      : "";
    setAttribute(this.change, "title", said);
    setAttribute(this.change, "aria-label", said);
  }

  showTrend(trend) {
    const path = sparkPath(trend, SPARK);
    this.spark.style.display = path ? "" : "none";
    setAttribute(this.line, "d", path);
    setAttribute(this.area, "d", sparkArea(trend, SPARK));
  }

  rollTo(value) {
    if (this.frame && value === this.target) return;  // rolling there already
    this.target = value;
    const still = typeof value !== "number" || typeof this.shown !== "number";
    if (still || value === this.shown || reducedMotion()) return this.settle(value);
    this.from = this.shown;
    this.started = performance.now();
    this.drawn = false;
    if (!this.frame) this.next();
  }

  step() {
    this.frame = 0;
    const value = rollValue(this.from, this.target, performance.now() - this.started, ROLL_MS);
    if (value === this.target) return this.settle(value);
    this.paint(value);
    this.next();
  }

  next() {
    this.frame = setTimeout(() => this.step(), msToBeat(Date.now(), ROLL_STEP_MS, ROLL_STEP_MS / 2));
  }

  settle(value) {
    if (this.frame) clearTimeout(this.frame);
    this.frame = 0;
    this.paint(value);
    this.drawn = true;
  }

  /** Show `value`; the page is touched only when its text changes (frames
   *  of a roll that change no digit cost nothing). */
  paint(value) {
    this.shown = value;
    const locale = this.locale();
    const text = formatNumber(value, this.settings, locale);
    if (text === this.painted) return;
    this.painted = text;
    const parts = formatParts(value, this.settings.digits, locale);
    setText(this.sign, parts.sign);
    setText(this.digits, parts.number);
    setText(this.unit, parts.unit);
    this.figure.setAttribute("aria-label", text);
    if (text.length !== this.fitted) this.fit();
  }

  /** Shrink the figure to the card's width when it is wider (a long number
   *  in a narrow card); measured only when the text's length changes. */
  fit() {
    const figure = this.figure;
    figure.style.fontSize = "";
    this.fitted = (figure.getAttribute("aria-label") || "").length;
    const room = figure.clientWidth;
    const need = figure.scrollWidth;
    if (room > 0 && need > room) {
      const size = parseFloat(getComputedStyle(figure).fontSize);
      figure.style.fontSize = Math.floor(size * room / need) + "px";
    }
  }

  destroy() {
    if (this.resizes) this.resizes.disconnect();
    if (this.frame) clearTimeout(this.frame);
    this.frame = 0;
    this.root.remove();
  }
}
