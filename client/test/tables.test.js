import assert from "node:assert/strict";
import { test } from "node:test";

import {
  columnTexts,
  fitColumns,
  textWidth,
  SCROLL_MOVE, SCROLL_PERIOD, barWidths, cellText, columnDecimals, compareCells, decimals, csvField, csvName,
  isTableOption, matchRows, message, numericColumns, pickLang, rankRows, readTable, rotate, rowsThatFit,
  scrolls, sortRows, stepTransform, toCsv,
} from "../src/tables.js";

test("csvField quotes quotes, commas and line breaks", () => {
  assert.equal(csvField("plain"), "plain");
  assert.equal(csvField('say "hi"'), '"say ""hi"""');
  assert.equal(csvField("a,b"), '"a,b"');
  assert.equal(csvField("two\nlines"), '"two\nlines"');
  assert.equal(csvField("cr\rhere"), '"cr\rhere"');
  assert.equal(csvField(null), "");
  assert.equal(csvField(undefined), "");
  assert.equal(csvField(""), "");
  assert.equal(csvField("广东省"), "广东省");
});

test("csvField defuses formulas: text starting with = + - @ tab or CR gets a '", () => {
  assert.equal(csvField("=1+1"), "'=1+1");
  assert.equal(csvField("+86 138"), "'+86 138");
  assert.equal(csvField("-2"), "'-2");
  assert.equal(csvField("@SUM(A1)"), "'@SUM(A1)");
  assert.equal(csvField("\tx"), "'\tx");
  assert.equal(csvField('=HYPERLINK("http://x","y")'), '"\'=HYPERLINK(""http://x"",""y"")"');
  assert.equal(csvField("a=b"), "a=b");  // only a leading sign counts
  // numbers are numbers, never formulas: written as they are
  assert.equal(csvField(-3.5), "-3.5");
  assert.equal(csvField(0), "0");
});

test("toCsv starts with a BOM, ends lines with CRLF, escapes every cell", () => {
  const csv = toCsv(["时间", "省份", "金额"], [["09:00", "广东", 1.5], ["=cmd", 'a "b"', null]]);
  assert.equal(csv, "\uFEFF时间,省份,金额\r\n09:00,广东,1.5\r\n'=cmd,\"a \"\"b\"\"\",\r\n");
  assert.equal(toCsv(["a"], []), "\uFEFFa\r\n");
});

test("csvName keeps a file name safe", () => {
  assert.equal(csvName("orders"), "orders.csv");
  assert.equal(csvName("a/b\\c:d"), "a_b_c_d.csv");
  assert.equal(csvName(""), "table.csv");
});

test("compareCells: numbers by value before texts, empty cells last", () => {
  assert.ok(compareCells(2, 10) < 0);
  assert.ok(compareCells(10, "a") < 0);
  assert.ok(compareCells("a", 10) > 0);
  assert.ok(compareCells(null, 1) > 0);
  assert.ok(compareCells("", "a") > 0);
  assert.equal(compareCells(null, ""), 0);
  const zh = new Intl.Collator("en", { numeric: true });
  assert.ok(compareCells("item 9", "item 10", zh) < 0);
});

test("sortRows sorts a copy, ascending or descending, stably, empty cells last both ways", () => {
  const rows = [["a", 3], ["b", null], ["c", 1], ["d", 3], ["e", 2]];
  const before = JSON.stringify(rows);
  assert.deepEqual(sortRows(rows, 1, "asc").map((r) => r[0]), ["c", "e", "a", "d", "b"]);
  assert.deepEqual(sortRows(rows, 1, "desc").map((r) => r[0]), ["a", "d", "e", "c", "b"]);
  assert.deepEqual(sortRows(rows, 0, "desc").map((r) => r[0]), ["e", "d", "c", "b", "a"]);
  assert.equal(JSON.stringify(rows), before);
});

test("rankRows: by value, largest first, ties share a rank, bars in percent of the max", () => {
  const ranked = rankRows([["浙江", 50], ["广东", 200], ["江苏", 100], ["上海", 100], ["西藏", null], ["负", -5]]);
  assert.deepEqual(ranked.map((r) => r.row[0]), ["广东", "江苏", "上海", "浙江", "负", "西藏"]);
  assert.deepEqual(ranked.map((r) => r.rank), [1, 2, 2, 4, 5, 6]);
  assert.deepEqual(ranked.map((r) => r.width), [100, 50, 50, 25, 0, 0]);
});

test("barWidths: proportional to the largest value, 0 without a positive one", () => {
  assert.deepEqual(barWidths([10, 5, 2.5]), [100, 50, 25]);
  assert.deepEqual(barWidths([0, 0]), [0, 0]);
  assert.deepEqual(barWidths([-1, -2]), [0, 0]);
  assert.deepEqual(barWidths([]), []);
  assert.deepEqual(barWidths([null, 4]), [0, 100]);
});

test("numericColumns: columns of numbers (and empty cells) only", () => {
  assert.deepEqual(numericColumns([["a", 1, null], ["b", 2.5, "x"], ["c", null, null]], 3), [false, true, false]);
  assert.deepEqual(numericColumns([], 2), [false, false]);
});

test("cellText formats numbers, shows nothing for null, text as it is", () => {
  const format = new Intl.NumberFormat("en", { maximumFractionDigits: 2 });
  assert.equal(cellText(1234567.891, format), "1,234,567.89");
  assert.equal(cellText(null, format), "");
  assert.equal(cellText("<img src=x onerror=alert(1)>", format), "<img src=x onerror=alert(1)>");
});

test("decimals and columnDecimals: a column shows the most decimals of its numbers, at most 4", () => {
  assert.equal(decimals(676.3), 1);
  assert.equal(decimals(271.66), 2);
  assert.equal(decimals(12), 0);
  assert.equal(decimals(1e-7), 4);
  assert.equal(decimals(1.5e-3), 4);
  assert.equal(decimals(2.5e3), 0);
  assert.equal(decimals(1 / 3), 4);
  assert.equal(decimals(0.1 + 0.2), 1);  // float noise is not a decimal
  assert.equal(decimals(3581.79000000003), 2);
  assert.equal(decimals(-2.5), 1);
  assert.equal(decimals("1.25"), 0);
  assert.deepEqual(columnDecimals([["a", 676.3, 1], ["b", 271.66, null]], 3), [0, 2, 0]);
  const format = new Intl.NumberFormat("en", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  assert.equal(cellText(676.3, format), "676.30");
});

test("scroll maths: rows that fit, when to scroll, rotation, the step's transform", () => {
  assert.equal(rowsThatFit(300, 40), 7);
  assert.equal(rowsThatFit(10, 40), 1);
  assert.equal(rowsThatFit(300, 0), 1);
  assert.equal(scrolls(8, 7), true);
  assert.equal(scrolls(7, 7), false);
  assert.deepEqual(rotate([1, 2, 3, 4], 1), [2, 3, 4, 1]);
  assert.deepEqual(rotate([1, 2, 3, 4], 5), [2, 3, 4, 1]);
  assert.deepEqual(rotate([1, 2, 3, 4], 4), [1, 2, 3, 4]);
  assert.deepEqual(rotate([], 3), []);
  assert.equal(stepTransform(40), "translateY(-40px)");
  assert.equal(stepTransform(37.504), "translateY(-37.5px)");
  assert.ok(SCROLL_MOVE < SCROLL_PERIOD);  // a move ends before the next one
});

test("matchRows keeps the rows that stay: a step or a new row moves one row, writes one at most", () => {
  // A scrolling table's step: every row is kept (one moves to the end).
  assert.deepEqual(matchRows(["a", "b", "c", "d"], ["b", "c", "d", "a"]), [1, 2, 3, 0]);
  // A stream's new row: the oldest leaves, its element shows the newest.
  assert.deepEqual(matchRows(["a", "b", "c", "d"], ["b", "c", "d", "e"]), [1, 2, 3, 0]);
  // Fewer, more and repeated rows.
  assert.deepEqual(matchRows(["a", "b", "c"], ["c"]), [2]);
  assert.deepEqual(matchRows(["a"], ["a", "b", "c"]), [0, -1, -1]);
  assert.deepEqual(matchRows(["x", "x", "y"], ["x", "z", "x"]), [0, 2, 1]);
  assert.deepEqual(matchRows([undefined, undefined], ["a", "b"]), [0, 1]);  // rows not drawn by key yet
  assert.deepEqual(matchRows([], []), []);
});

test("readTable and isTableOption read the table option of docs/protocol.md", () => {
  const option = {
    card: { type: "table", columns: ["省份", "销售额"], scroll: true, rank: true },
    series: [{ type: "table", data: [["广东", 1], "junk", ["浙江", 2]] }],
  };
  assert.equal(isTableOption(option), true);
  assert.equal(isTableOption({ series: [] }), false);
  assert.equal(isTableOption({ card: { type: "number" } }), false);
  assert.deepEqual(readTable(option), {
    columns: ["省份", "销售额"], scroll: true, rank: true, rows: [["广东", 1], ["浙江", 2]],
  });
  assert.equal(readTable({ card: { type: "table", columns: ["a"], rank: true } }).rank, false);
});

test("messages in English and Chinese, by <html lang>", () => {
  assert.equal(pickLang("zh-CN"), "zh-CN");
  assert.equal(pickLang("zh"), "zh-CN");
  assert.equal(pickLang("en-GB"), "en");
  assert.equal(pickLang(""), "en");
  assert.equal(message("download", "zh-CN"), "下载 CSV");
  assert.equal(message("download", "en"), "Download CSV");
  assert.equal(message("sortBy", "zh-CN", { column: "金额" }), "按金额排序");
});

test("wide characters count two columns of text", () => {
  assert.equal(textWidth("19:05:22"), 8);
  assert.equal(textWidth("广东"), 4);
  assert.equal(textWidth("5G 手机"), 7);
});

test("a column needs its widest text, title or cell", () => {
  const rows = [["19:05:22", "内蒙古", 1528.3], ["9:05", null, 75.65]];
  assert.deepEqual(columnTexts(["时间", "省份", "金额"], rows), [8, 6, 7]);
});

test("columns that fit get their need, shared out further when there is room", () => {
  assert.deepEqual(fitColumns([100, 50, 50], 200), [100, 50, 50]);
  assert.deepEqual(fitColumns([100, 50, 50], 400), [200, 100, 100]);
});

test("when columns do not fit, the widest are cut to one width and the narrow keep theirs", () => {
  assert.deepEqual(fitColumns([60, 40, 400, 300], 300), [60, 40, 100, 100]);
  assert.deepEqual(fitColumns([90, 90, 90], 150), [50, 50, 50]);
  assert.deepEqual(fitColumns([70, 60, 90, 600, 70], 330), [67.5, 60, 67.5, 67.5, 67.5]);
});

test("no room, no columns: zero widths", () => {
  assert.deepEqual(fitColumns([10, 20], 0), [0, 0]);
  assert.deepEqual(fitColumns([], 100), []);
});
