import assert from "node:assert/strict";
import { test } from "node:test";

import {
  ROLL_MS, SPARK, arrow, cardFigures, cardLocale, change, changeColour, easeOut, formatNumber,
  formatChange, formatParts, formatPercent, groupThousands, isNumberCard, rollValue, sparkArea, sparkPath,
} from "../src/cards.js";

test("cardLocale: Chinese for any zh tag, English for the rest", () => {
  assert.equal(cardLocale("zh-CN"), "zh-CN");
  assert.equal(cardLocale("zh"), "zh-CN");
  assert.equal(cardLocale("ZH-hant-TW"), "zh-CN");
  assert.equal(cardLocale("en"), "en");
  assert.equal(cardLocale("fr"), "en");
  assert.equal(cardLocale(""), "en");
  assert.equal(cardLocale(null), "en");
  assert.equal(cardLocale("zhx"), "en");
});

test("groupThousands groups the whole part only", () => {
  assert.equal(groupThousands("0"), "0");
  assert.equal(groupThousands("999"), "999");
  assert.equal(groupThousands("1000"), "1,000");
  assert.equal(groupThousands("1234567.891234"), "1,234,567.891234");
  assert.equal(groupThousands("123456"), "123,456");
});

test("English: plain with separators and the card's decimals", () => {
  const en = (value, digits) => formatParts(value, digits, "en");
  assert.deepEqual(en(1234567, 0), { sign: "", number: "1,234,567", unit: "" });
  assert.deepEqual(en(1234.567, 2), { sign: "", number: "1,234.57", unit: "" });
  assert.deepEqual(en(-42.5, 1), { sign: "-", number: "42.5", unit: "" });
  assert.deepEqual(en(0.4, 0), { sign: "", number: "0", unit: "" });
  assert.deepEqual(en(-0.4, 0), { sign: "", number: "0", unit: "" }, "no minus on a shown zero");
  assert.deepEqual(en(12, 9), { sign: "", number: "12.000000", unit: "" }, "at most 6 decimals");
  assert.deepEqual(en(1e22, 0), { sign: "", number: "1e+22", unit: "" });
});

test("Chinese: 万 from ten thousand, 亿 from a hundred million, two decimals", () => {
  const zh = (value, digits) => formatNumber(value, { digits: digits }, "zh-CN");
  assert.equal(zh(9999, 0), "9,999");
  assert.equal(zh(9999.5, 1), "9,999.5");
  assert.equal(zh(10000, 0), "1.00万");
  assert.equal(zh(12345, 0), "1.23万");
  assert.equal(zh(12345678, 0), "1,234.57万");
  assert.equal(zh(99999999, 0), "1.00亿", "rounds up to the next unit, never 10,000.00万");
  assert.equal(zh(100000000, 0), "1.00亿");
  assert.equal(zh(123456789012, 0), "1,234.57亿");
  assert.equal(zh(-56789, 0), "-5.68万");
  assert.equal(zh(-5, 0), "-5");
});

test("formatNumber puts sign, prefix, number, unit and suffix in order", () => {
  const card = { digits: 2, prefix: "¥", suffix: " 元" };
  assert.equal(formatNumber(-1234.5, card, "en"), "-¥1,234.50 元");
  assert.equal(formatNumber(123456, card, "zh-CN"), "¥12.35万 元");
  assert.equal(formatNumber(NaN, card, "en"), "¥– 元");
  assert.equal(formatNumber(7, null, "en"), "7");
});

test("change: direction and percentage against the previous value", () => {
  assert.deepEqual(change(110, 100), { direction: "up", percent: 10, ratio: 1.1 });
  assert.deepEqual(change(90, 100), { direction: "down", percent: -10, ratio: 0.9 });
  assert.deepEqual(change(100, 100), { direction: "flat", percent: 0, ratio: 1 });
  assert.deepEqual(change(-50, -100), { direction: "up", percent: 50, ratio: null }, "of the previous size");
  assert.deepEqual(change(5, 0), { direction: "up", percent: null, ratio: null }, "no percentage from zero");
  assert.deepEqual(change(5, null), { direction: null, percent: null, ratio: null });
  assert.deepEqual(change(5, undefined), { direction: null, percent: null, ratio: null });
});

test("formatPercent: one decimal below 100 %, none above, no sign", () => {
  assert.equal(formatPercent(12.345), "12.3%");
  assert.equal(formatPercent(-7.25), "7.3%");
  assert.equal(formatPercent(0), "0.0%");
  assert.equal(formatPercent(1234.5), "1,235%");
  assert.equal(formatPercent(null), "");
  assert.equal(formatPercent(Infinity), "");
});

test("formatChange: a percentage, a multiple from a 1,000 % rise", () => {
  assert.equal(formatChange(change(112.3, 100)), "12.3%");
  assert.equal(formatChange(change(1000, 100)), "900%");
  assert.equal(formatChange(change(1100, 100)), "×11.0");
  assert.equal(formatChange(change(71411, 100)), "×714");
  assert.equal(formatChange(change(10, 100)), "90.0%", "a fall stays a percentage");
  assert.equal(formatChange(change(2000, -100)), "2,100%", "no multiple across zero");
  assert.equal(formatChange(change(5, 0)), "");
  assert.equal(formatChange(change(5, null)), "");
});

test("colours: red up in Chinese, green up in English, up= overrides", () => {
  assert.equal(changeColour("up", null, "zh-CN"), "red");
  assert.equal(changeColour("down", null, "zh-CN"), "green");
  assert.equal(changeColour("up", null, "en"), "green");
  assert.equal(changeColour("down", null, "en"), "red");
  assert.equal(changeColour("up", "green", "zh-CN"), "green");
  assert.equal(changeColour("down", "green", "zh-CN"), "red");
  assert.equal(changeColour("up", "red", "en"), "red");
  assert.equal(changeColour("up", "blue", "en"), "green", "an unknown setting: the convention");
  assert.equal(changeColour("flat", "red", "en"), null);
  assert.equal(changeColour(null, null, "en"), null);
});

test("arrows", () => {
  assert.deepEqual(["up", "down", "flat", null].map(arrow), ["▲", "▼", "■", ""]);
});

test("easeOut starts fast, ends at 1, stays within 0 and 1", () => {
  assert.equal(easeOut(0), 0);
  assert.equal(easeOut(1), 1);
  assert.equal(easeOut(-1), 0);
  assert.equal(easeOut(2), 1);
  assert.ok(easeOut(0.25) > 0.25 && easeOut(0.5) > 0.5, "ahead of linear");
  for (let i = 1; i <= 100; i++) assert.ok(easeOut(i / 100) >= easeOut((i - 1) / 100), "monotonic");
});

test("rollValue goes from the old value to the new one in ROLL_MS", () => {
  assert.equal(ROLL_MS, 1000);
  assert.equal(rollValue(100, 200, 0, ROLL_MS), 100);
  assert.equal(rollValue(100, 200, ROLL_MS, ROLL_MS), 200, "ends exact");
  assert.equal(rollValue(100, 200, ROLL_MS + 50, ROLL_MS), 200);
  const middle = rollValue(100, 200, ROLL_MS / 2, ROLL_MS);
  assert.ok(middle > 150 && middle < 200, "eased: past half way at half time");
  assert.ok(rollValue(200, 100, ROLL_MS / 2, ROLL_MS) < 150, "and downwards");
  assert.equal(rollValue(1, 2, 10, 0), 2, "no duration (reduced motion): at once");
  // Every frame of a 60 fps roll is between the two values, in order.
  let last = 1000;
  for (let t = 0; t <= ROLL_MS; t += 1000 / 60) {
    const v = rollValue(1000, 5000, t, ROLL_MS);
    assert.ok(v >= last && v <= 5000);
    last = v;
  }
});

test("sparkPath: lowest at the bottom, highest at the top, across the box", () => {
  const box = { width: 100, height: 20, pad: 0 };
  assert.equal(sparkPath([1, 3, 2], box), "M0 20L50 0L100 10");
  assert.equal(sparkPath([5, 5], box), "M0 10L100 10", "flat: a line in the middle");
  assert.equal(sparkPath([5], box), "", "one point: no line");
  assert.equal(sparkPath(null, box), "");
  assert.equal(sparkPath([1, null, 3], box), "M0 20L100 0", "gaps are skipped");
  const padded = sparkPath([0, 1], { width: 10, height: 10, pad: 1 });
  assert.equal(padded, "M1 9L9 1");
  assert.ok(sparkPath([1, 2, 3], SPARK).startsWith("M" + SPARK.pad + " "));
});

test("sparkArea closes the line along the bottom", () => {
  const box = { width: 100, height: 20, pad: 0 };
  assert.equal(sparkArea([1, 3, 2], box), "M0 20L50 0L100 10L100 20L0 20Z");
  assert.equal(sparkArea([1], box), "");
  assert.equal(sparkArea([0, 1], { width: 10, height: 10, pad: 1 }), "M1 9L9 1L9 10L1 10Z");
});

test("cardFigures reads the three series by name", () => {
  const option = {
    card: { type: "number" },
    series: [
      { name: "value", data: [12] },
      { name: "previous", data: [] },
      { name: "trend", data: [1, 2] },
    ],
  };
  assert.deepEqual(cardFigures(option), { value: 12, previous: null, trend: [1, 2] });
  assert.deepEqual(cardFigures({}), { value: null, previous: null, trend: [] });
  assert.ok(isNumberCard(option));
  assert.ok(!isNumberCard({ card: { type: "table" } }));
  assert.ok(!isNumberCard({ card: null }));
  assert.ok(!isNumberCard({ series: [] }));
});
