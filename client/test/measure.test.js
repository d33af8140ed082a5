import assert from "node:assert/strict";
import { test } from "node:test";

import { createMeasurer, fontSize, useForECharts } from "../src/measure.js";

/** Stand-in canvases, 7 px a character, that count fonts set on them. */
function canvases() {
  const made = [];
  const create = function () {
    const context = {
      fonts: [],
      set font(value) { this.fonts.push(value); },
      measureText: (text) => ({ width: 7 * text.length }),
    };
    made.push(context);
    return context;
  };
  return { made, create };
}

test("a measurer takes a new canvas every `every` measurements", () => {
  const { made, create } = canvases();
  const measure = createMeasurer(create, 3);
  for (let i = 0; i < 7; i++) assert.equal(measure("订单" + i, "12px sans-serif").width, 21);
  assert.equal(made.length, 3);
});

test("a measurer sets a canvas' font only when it changes, and again on a new canvas", () => {
  const { made, create } = canvases();
  const measure = createMeasurer(create, 3);
  ["a", "b", "c", "d"].forEach((text) => measure(text, "bold 14px serif"));
  measure("e");
  assert.deepEqual(made[0].fonts, ["bold 14px serif"]);
  assert.deepEqual(made[1].fonts, ["bold 14px serif", "12px sans-serif"]);
});

test("without a canvas a measurer estimates the font's size a character", () => {
  const measure = createMeasurer(() => null);
  assert.equal(measure("1234", "bold 14px serif").width, 56);
  assert.equal(measure(12345).width, 60);
});

test("fontSize reads a CSS font's pixels, else ECharts' 12", () => {
  assert.equal(fontSize("italic bold 13.5px Microsoft YaHei"), 13.5);
  assert.equal(fontSize("sans-serif"), 12);
});

test("useForECharts hands ECharts the page's measurer, and passes over an older ECharts", () => {
  const given = [];
  useForECharts({ setPlatformAPI: (api) => given.push(api) });
  assert.equal(given.length, 1);
  assert.equal(typeof given[0].measureText, "function");
  assert.doesNotThrow(() => useForECharts({}));
  assert.doesNotThrow(() => useForECharts(undefined));
});
