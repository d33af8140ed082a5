// Live tables (轮播表) and ranking boards. A document whose option has
// `card.type == "table"` (docs/protocol.md) is drawn here as an HTML table
// instead of by ECharts (chart-draw.js hands over the option, with a
// stream's window of rows as its data): rows are updated in place (a cell is
// written only when its text changed), so appended rows show at the bottom
// and the oldest leave at the top. Every cell is set with textContent:
// markup in data is text.
//
// `scroll`: when the rows overflow the panel, one row moves up every
// SCROLL_PERIOD ms (a CSS transform, then the first row goes last; both on
// whole seconds of the wall clock, as a screen's clock ticks: util.js
// msToBeat), paused while the pointer or focus is in the table; with
// prefers-reduced-motion the rows step without moving. `rank`: rows are
// (name, value, ...), shown by value, largest first, with a rank badge and a
// bar. Outside screens the headers sort the rows and a button downloads the
// rows shown as CSV.

import { localeOf, translate } from "./messages.js";
import { msToBeat } from "./util.js";

/** Milliseconds between two steps of a scrolling table. */
export const SCROLL_PERIOD = 2000;
/** Milliseconds one step's move lasts (within the period). */
export const SCROLL_MOVE = 600;
/** The first row goes last on the next whole second after the move (the
 *  rows stay moved until then, unchanged on screen). */
const SECOND = 1000;
/** Where a table is shown without controls (a big screen). */
export const SCREEN_SELECTOR = "[data-fpe-screen], .fpe-screen";

const CELL = "fpe-livetable-cell";
const CHARACTER_EM = 0.6;  // a textWidth unit (half a CJK character), in em
const CELL_PADDING = 20;   // px: a cell's padding, left and right

/** The messages' language for a `<html lang>`: "zh-CN" for any Chinese, else "en". */
export const pickLang = localeOf;

/** The message `table.<key>` (messages.js) in `lang`, with `params`. */
export function message(key, lang, params) {
  return translate(pickLang(lang), "table." + key, params);
}

/** Whether a document's option is a live table's. */
export function isTableOption(option) {
  return !!(option && typeof option === "object" && option.card && option.card.type === "table");
}

/** The columns, flags and rows of a table option, checked. */
export function readTable(option) {
  const card = option.card || {};
  const columns = Array.isArray(card.columns) ? card.columns.map(String) : [];
  const series = Array.isArray(option.series) ? option.series[0] : option.series;
  const data = series && Array.isArray(series.data) ? series.data : [];
  return {
    columns: columns,
    scroll: card.scroll === true,
    rank: card.rank === true && columns.length >= 2,
    rows: data.filter(Array.isArray),
  };
}

// -- rows -------------------------------------------------------------------

function isNumber(value) {
  return typeof value === "number" && Number.isFinite(value);
}

/** Compare two cells: numbers by value and before texts, texts by the
 * collator, empty cells (null, "") last whatever the direction. */
export function compareCells(a, b, collator) {
  const emptyA = a === null || a === undefined || a === "";
  const emptyB = b === null || b === undefined || b === "";
  if (emptyA || emptyB) return emptyA === emptyB ? 0 : emptyA ? 1 : -1;
  if (isNumber(a) && isNumber(b)) return a - b;
  if (isNumber(a) !== isNumber(b)) return isNumber(a) ? -1 : 1;
  return collator ? collator.compare(String(a), String(b)) : String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

/** A sorted copy of `rows` by `column` ("asc" or "desc"; stable; empty cells last). */
export function sortRows(rows, column, direction, collator) {
  const sign = direction === "desc" ? -1 : 1;
  return rows
    .map((row, index) => [row, index])
    .sort(([a, i], [b, j]) => {
      const x = a[column], y = b[column];
      const empty = (v) => v === null || v === undefined || v === "";
      const order = empty(x) || empty(y) ? compareCells(x, y, collator) : sign * compareCells(x, y, collator);
      return order || i - j;
    })
    .map(([row]) => row);
}

/** A ranking board's rows: by value (the second cell), largest first, each
 * with its rank (equal values share one: 1, 2, 2, 4) and its bar's width in
 * percent of the largest value (0 for none, negative or no positive maximum). */
export function rankRows(rows) {
  const sorted = sortRows(rows, 1, "desc");
  const values = sorted.map((row) => (isNumber(row[1]) ? row[1] : null));
  const widths = barWidths(values);
  let rank = 0;
  return sorted.map((row, index) => {
    if (index === 0 || values[index] !== values[index - 1]) rank = index + 1;
    return { rank: rank, row: row, width: widths[index] };
  });
}

/** Each value's share of the largest, in percent (0 to 100). */
export function barWidths(values) {
  const max = Math.max(0, ...values.filter(isNumber));
  return values.map((value) => (isNumber(value) && value > 0 && max > 0 ? Math.min(100, (100 * value) / max) : 0));
}

/** Which columns hold numbers (some number, no text). */
export function numericColumns(rows, count) {
  const result = [];
  for (let column = 0; column < count; column++) {
    let numbers = 0, texts = 0;
    rows.forEach((row) => {
      const cell = row[column];
      if (isNumber(cell)) numbers++;
      else if (cell !== null && cell !== undefined && cell !== "") texts++;
    });
    result.push(numbers > 0 && texts === 0);
  }
  return result;
}

/** The most decimals a column shows (beyond, numbers are rounded). */
export const MAX_DECIMALS = 4;

/** How many decimals `value` needs (at most MAX_DECIMALS), float noise
 * aside: 0.1 + 0.2 needs 1, 3581.79000000003 needs 2. */
export function decimals(value) {
  if (!isNumber(value)) return 0;
  const tolerance = 1e-9 * Math.max(1, Math.abs(value));
  for (let digits = 0; digits < MAX_DECIMALS; digits++) {
    if (Math.abs(value - Number(value.toFixed(digits))) <= tolerance) return digits;
  }
  return MAX_DECIMALS;
}

/** The decimals each column shows: the most of its numbers, so that a
 * column's numbers line up (271.66 above 676.30, not 676.3). */
export function columnDecimals(rows, count) {
  const result = new Array(count).fill(0);
  rows.forEach((row) => {
    for (let column = 0; column < count; column++) {
      result[column] = Math.max(result[column], decimals(row[column]));
    }
  });
  return result;
}

/** A cell as text: numbers formatted by `format` (an Intl.NumberFormat), none as "". */
export function cellText(value, format) {
  if (value === null || value === undefined) return "";
  if (isNumber(value)) return format ? format.format(value) : String(value);
  return String(value);
}

/**
 * Which drawn row shows each wanted row, by their keys (`drawn`, `wanted`):
 * for each wanted row, the index of a drawn row with the same key, else of a
 * drawn row no wanted row keeps (rewritten), else -1 (a new row). A row that
 * stays is neither rewritten nor laid out again: a scrolling table's step
 * and a stream's new row move one row, not every cell's text.
 */
export function matchRows(drawn, wanted) {
  const byKey = new Map();
  drawn.forEach((key, index) => {
    if (!byKey.has(key)) byKey.set(key, []);
    byKey.get(key).push(index);
  });
  const kept = new Set();
  const match = wanted.map((key) => {
    const same = byKey.get(key);
    if (!same || !same.length) return -1;
    const index = same.shift();
    kept.add(index);
    return index;
  });
  const spare = drawn.map((_, index) => index).filter((index) => !kept.has(index));
  return match.map((index) => (index >= 0 ? index : spare.length ? spare.shift() : -1));
}

/** `list` with its first `offset` items (modulo its length) moved to the end. */
export function rotate(list, offset) {
  if (!list.length) return list;
  const shift = ((offset % list.length) + list.length) % list.length;
  return shift ? list.slice(shift).concat(list.slice(0, shift)) : list;
}

/** The width of a text in columns of a monospace grid: CJK and other wide
 * characters count two. */
export function textWidth(text) {
  let width = 0;
  for (const char of String(text)) width += char.codePointAt(0) >= 0x2e80 ? 2 : 1;
  return width;
}

/** The widest text of each column (title or cell), in `textWidth` units. */
export function columnTexts(columns, rows) {
  const widths = columns.map((title) => textWidth(title) + 2);  // the sort arrow
  rows.forEach((row) => {
    for (let index = 0; index < widths.length; index++) {
      const cell = row[index];
      if (cell === null || cell === undefined) continue;
      const width = textWidth(typeof cell === "number" ? cell.toLocaleString("en") : cell);
      if (width > widths[index]) widths[index] = width;
    }
  });
  return widths;
}

/**
 * Column widths (px) from what each needs and the width there is: each its
 * need, shared out further when there is room; when they do not all fit, the
 * widest are cut to one width (their texts end in an ellipsis) and the
 * narrow ones keep theirs, so that every column shows.
 */
export function fitColumns(needs, available) {
  const total = needs.reduce((sum, need) => sum + need, 0);
  if (!total || available <= 0) return needs.map(() => 0);
  if (total <= available) return needs.map((need) => (need * available) / total);
  const sorted = needs.slice().sort((a, b) => a - b);
  let rest = available;
  let cap = 0;
  for (let index = 0; index < sorted.length; index++) {
    cap = rest / (sorted.length - index);
    if (sorted[index] > cap) break;
    rest -= sorted[index];
  }
  return needs.map((need) => Math.min(need, cap));
}

/** How many whole rows of `rowHeight` fit in `height` px (at least 1). */
export function rowsThatFit(height, rowHeight) {
  return rowHeight > 0 ? Math.max(1, Math.floor(height / rowHeight)) : 1;
}

/** Whether a scrolling table steps: its rows do not all fit. */
export function scrolls(rowCount, fitting) {
  return rowCount > fitting;
}

/** The CSS transform of the rows during a step: one row of `rowHeight` px up. */
export function stepTransform(rowHeight) {
  return "translateY(" + -Math.round(rowHeight * 100) / 100 + "px)";
}

// -- CSV --------------------------------------------------------------------

/** One CSV field: quoted when it holds a quote, comma or line break; a text
 * starting with = + - @ (or a tab or carriage return) gets a leading ' so a
 * spreadsheet does not run it as a formula. Numbers are written as numbers. */
export function csvField(value) {
  if (value === null || value === undefined) return "";
  if (isNumber(value)) return String(value);
  let text = String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = "'" + text;
  return /[",\r\n]/.test(text) ? '"' + text.replace(/"/g, '""') + '"' : text;
}

/** The CSV text of a table (a UTF-8 byte order mark first, so that Excel
 * reads Chinese; lines end with CRLF, as RFC 4180 says). */
export function toCsv(columns, rows) {
  const lines = [columns].concat(rows).map((row) => row.map(csvField).join(","));
  return "\uFEFF" + lines.join("\r\n") + "\r\n";
}

/** A file name for a table's CSV: its name, safe on every system. */
export function csvName(name) {
  const safe = String(name || "table").replace(/[\\/:*?"<>|\x00-\x1f]+/g, "_").slice(0, 80);
  return (safe || "table") + ".csv";
}

// -- the table in the page ---------------------------------------------------

function element(tag, className, text) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

function reducedMotion() {
  return !!(window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches);
}

/** One live table drawn in `el` (a chart's container). */
export class LiveTable {
  /**
   * @param {Element} el the container
   * @param {{name?: string, lang?: string, interactive?: boolean}} options
   *   `interactive`: sorting and CSV (default: unless inside a screen)
   */
  constructor(el, options) {
    options = options || {};
    this.el = el;
    this.name = options.name || "table";
    this.lang = pickLang(options.lang || document.documentElement.lang);
    this.interactive = options.interactive !== undefined ? !!options.interactive : !el.closest(SCREEN_SELECTOR);
    this.collator = new Intl.Collator(this.lang, { numeric: true });
    this.formats = [];  // Intl.NumberFormat by number of decimals
    this.table = { columns: [], scroll: false, rank: false, rows: [] };
    this.shape = "";
    this.sort = null;  // {column, direction}
    this.offset = 0;   // scrolled rows
    this.paused = false;
    this.timer = null;
    this.moving = null;
    this.root = null;
    this.rowKeys = new WeakMap();  // a row's element -> the key of the row it shows
  }

  /** Show a table option (a whole document, or one after a patch). */
  show(option) {
    const table = readTable(option);
    const shape = JSON.stringify([table.columns, table.scroll, table.rank]);
    if (shape !== this.shape) this.build(table);
    this.shape = shape;
    this.table = table;
    this.render();
  }

  /** The rows as shown (sorted or ranked), before any scrolling: what CSV exports. */
  shownRows() {
    const rows = this.table.rows;
    if (this.table.rank) return rankRows(rows).map((item) => item.row);
    return this.sort ? sortRows(rows, this.sort.column, this.sort.direction, this.collator) : rows;
  }

  build(table) {
    this.destroy();
    const root = this.root = element("div", "fpe-livetable");
    if (table.scroll) root.classList.add("fpe-livetable--scroll");
    if (table.rank) root.classList.add("fpe-livetable--rank");
    this.sort = null;
    this.offset = 0;
    if (!this.interactive) {
      root.classList.add("fpe-livetable--bare");
    } else {
      const tools = element("div", "fpe-livetable-tools");
      const button = element("button", "fpe-livetable-download", message("download", this.lang));
      button.type = "button";
      button.addEventListener("click", () => this.download());
      tools.appendChild(button);
      root.appendChild(tools);
    }
    const panel = this.panel = element("div", "fpe-livetable-panel");
    const grid = element("table", "fpe-livetable-table");
    const head = element("thead");
    const headRow = element("tr");
    const names = table.rank ? [message("rank", this.lang)].concat(table.columns) : table.columns;
    this.headers = names.map((name, index) => {
      const th = element("th");
      th.scope = "col";
      const column = table.rank ? index - 1 : index;
      if (this.interactive && !table.rank) {
        const sorter = element("button", "fpe-livetable-sort", name);
        sorter.type = "button";
        sorter.title = message("sortBy", this.lang, { column: name });
        sorter.addEventListener("click", () => this.sortBy(column));
        th.appendChild(sorter);
        th.setAttribute("aria-sort", "none");
      } else {
        th.textContent = name;
      }
      headRow.appendChild(th);
      return th;
    });
    head.appendChild(headRow);
    this.body = element("tbody");
    grid.appendChild(head);
    grid.appendChild(this.body);
    panel.appendChild(grid);
    if (typeof ResizeObserver !== "undefined") {  // the width the columns share
      this.resizer = new ResizeObserver((entries) => {
        const width = Math.floor(entries[entries.length - 1].contentRect.width);
        if (width === this.available) return;
        this.available = width;
        this.fitColumns();
      });
      this.resizer.observe(panel);
    }
    this.empty = element("p", "fpe-livetable-empty", message("empty", this.lang));
    panel.appendChild(this.empty);
    root.appendChild(panel);
    if (table.scroll) {
      const pause = () => { this.paused = true; };
      const go = () => { this.paused = root.matches(":hover") || root.contains(document.activeElement); };
      root.addEventListener("mouseenter", pause);
      root.addEventListener("mouseleave", () => { this.paused = false; });
      root.addEventListener("focusin", pause);
      root.addEventListener("focusout", () => setTimeout(go, 0));
      const beat = () => {
        this.timer = setTimeout(() => { this.step(); beat(); }, msToBeat(Date.now(), SCROLL_PERIOD, SCROLL_PERIOD / 2));
      };
      beat();
    }
    this.el.insertBefore(root, this.el.firstChild);
    this.fontSize = parseFloat(getComputedStyle(grid).fontSize) || 14;
  }

  sortBy(column) {
    const same = this.sort && this.sort.column === column;
    this.sort = { column: column, direction: same && this.sort.direction === "asc" ? "desc" : "asc" };
    this.offset = 0;
    this.headers.forEach((th, index) => {
      const sorted = index === column;
      th.setAttribute("aria-sort", sorted ? (this.sort.direction === "asc" ? "ascending" : "descending") : "none");
    });
    this.render();
  }

  /** Write the rows in place: rows added or removed at the end, cells written
   * only when their text changed. */
  render() {
    if (!this.root) return;
    const table = this.table;
    const count = table.columns.length;
    const numeric = numericColumns(table.rows, count);
    const formats = columnDecimals(table.rows, count).map((digits) => this.format(digits));
    this.headers.forEach((th, index) => {
      const column = table.rank ? index - 1 : index;
      th.classList.toggle("fpe-livetable-num", column >= 0 && !!numeric[column]);
    });
    this.fitColumns();
    let items = table.rank
      ? rankRows(table.rows)
      : this.shownRows().map((row) => ({ row: row }));
    if (items.length) this.offset %= items.length;
    items = table.scroll ? rotate(items, this.offset) : items;
    this.placeRows(items, count).forEach((tr, index) => this.fillRow(tr, items[index], numeric, formats));
    this.empty.hidden = items.length > 0;
  }

  /** The rows' elements for `items`, in order: a drawn row showing the same
   * row is kept where it can be (matchRows), the others rewritten or added,
   * and only rows out of place are moved. */
  placeRows(items, count) {
    const body = this.body;
    const drawn = Array.from(body.rows);
    const keys = items.map((item) => JSON.stringify(item.row));
    const rows = matchRows(drawn.map((tr) => this.rowKeys.get(tr)), keys)
      .map((index) => (index >= 0 ? drawn[index] : this.addRow(count)));
    const used = new Set(rows);
    drawn.forEach((tr) => { if (!used.has(tr)) tr.remove(); });
    let next = null;
    for (let index = rows.length - 1; index >= 0; index--) {
      if (rows[index].nextSibling !== next) body.insertBefore(rows[index], next);
      next = rows[index];
    }
    rows.forEach((tr, index) => this.rowKeys.set(tr, keys[index]));
    return rows;
  }

  /** The header's widths are the columns' (fixed layout): see fitColumns. */
  fitColumns() {
    const table = this.table;
    if (table.rank || !table.columns.length || !this.available) return;
    const unit = CHARACTER_EM * this.fontSize;
    const needs = columnTexts(table.columns, table.rows).map((width) => width * unit + CELL_PADDING);
    fitColumns(needs, this.available).forEach((px, index) => {
      const width = Math.floor(px) + "px";
      if (this.headers[index].style.width !== width) this.headers[index].style.width = width;
    });
  }

  addRow(count) {
    const tr = this.body.insertRow(-1);
    if (this.table.rank) {
      const badge = element("span", "fpe-rank");
      tr.insertCell(-1).appendChild(badge);
    }
    for (let column = 0; column < count; column++) {
      const td = tr.insertCell(-1);
      if (this.table.rank && column === 1) {
        const meter = element("div", "fpe-rank-meter");
        const track = element("span", "fpe-rank-track");
        track.appendChild(element("span", "fpe-rank-bar"));
        meter.appendChild(track);
        meter.appendChild(element("span", CELL));
        td.className = "fpe-rank-value";
        td.appendChild(meter);
      } else {
        td.appendChild(element("span", CELL));
      }
    }
    return tr;
  }

  /** The number format of `digits` decimals, made once. */
  format(digits) {
    if (!this.formats[digits]) {
      const options = { minimumFractionDigits: digits, maximumFractionDigits: digits };
      this.formats[digits] = new Intl.NumberFormat(this.lang, options);
    }
    return this.formats[digits];
  }

  fillRow(tr, item, numeric, formats) {
    const cells = tr.cells;
    let first = 0;
    if (this.table.rank) {
      const badge = cells[0].firstChild;
      setText(badge, String(item.rank));
      const top = item.rank <= 3 ? "fpe-rank fpe-rank--" + item.rank : "fpe-rank";
      if (badge.className !== top) badge.className = top;
      const width = Math.round(item.width * 10) / 10 + "%";  // as CSSOM writes it
      const bar = cells[2].querySelector(".fpe-rank-bar");
      if (bar.style.width !== width) bar.style.width = width;
      first = 1;
    }
    for (let column = 0; column < this.table.columns.length; column++) {
      const td = cells[first + column];
      td.classList.toggle("fpe-livetable-num", !!numeric[column]);
      setText(td.querySelector("." + CELL), cellText(item.row[column], formats[column]));
    }
  }

  /** One step of a scrolling table: move the rows up by one, then put the
   * first row last. Nothing while paused, hidden, or when every row fits. */
  step() {
    if (!this.root || this.paused || this.moving || document.hidden) return;
    const rows = this.body.rows;
    if (!rows.length) return;
    const rowHeight = rows[0].getBoundingClientRect().height;
    const head = this.body.previousSibling.getBoundingClientRect().height;
    const fitting = rowsThatFit(this.panel.clientHeight - head, rowHeight);
    if (!scrolls(rows.length, fitting)) return;
    const done = () => {
      this.moving = null;
      this.body.classList.remove("fpe-livetable-moving");
      this.body.style.transform = "";
      this.offset += 1;
      this.render();
    };
    if (reducedMotion()) return done();
    this.body.classList.add("fpe-livetable-moving");
    this.body.style.transform = stepTransform(rowHeight);
    this.moving = setTimeout(done, msToBeat(Date.now(), SECOND, SCROLL_MOVE));
  }

  /** The rows shown, as CSV (a ranking board's with their ranks). */
  csv() {
    if (!this.table.rank) return toCsv(this.table.columns, this.shownRows());
    const ranked = rankRows(this.table.rows).map((item) => [item.rank].concat(item.row));
    return toCsv([message("rank", this.lang)].concat(this.table.columns), ranked);
  }

  download() {
    const csv = this.csv();
    const url = URL.createObjectURL(new Blob([csv], { type: "text/csv;charset=utf-8" }));
    const link = element("a");
    link.href = url;
    link.download = csvName(this.name);
    link.hidden = true;
    this.root.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 0);
  }

  /** Stop scrolling and remove the table from the page. */
  destroy() {
    clearTimeout(this.timer);
    clearTimeout(this.moving);
    this.timer = this.moving = null;
    if (this.resizer) this.resizer.disconnect();
    this.resizer = null;
    this.available = 0;
    if (this.root) this.root.remove();
    this.root = null;
  }
}
