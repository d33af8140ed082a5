import assert from "node:assert/strict";
import { test } from "node:test";

import { mergeOption, withPatch } from "../src/options.js";

test("mergeOption merges objects key by key", () => {
  const target = { title: { text: "a", left: "center" } };
  mergeOption(target, { title: { text: "b" } });
  assert.deepEqual(target, { title: { text: "b", left: "center" } });
});

test("mergeOption merges component lists item by item", () => {
  const target = { series: [{ name: "a", data: [1] }, { name: "b", data: [2] }] };
  mergeOption(target, { series: [{}, { data: [3] }] });
  assert.deepEqual(target.series, [{ name: "a", data: [1] }, { name: "b", data: [3] }]);
});

test("mergeOption replaces lists of plain values whole", () => {
  const target = { series: [{ data: [1, 2, 3] }] };
  mergeOption(target, { series: [{ data: [9] }] });
  assert.deepEqual(target.series[0].data, [9]);
  const colors = { color: ["red", "blue"] };
  mergeOption(colors, { color: ["green"] });
  assert.deepEqual(colors.color, ["green"]);
});

test("mergeOption adds list items the target lacks", () => {
  const target = { xAxis: [{ type: "category" }] };
  mergeOption(target, { xAxis: [{}, { type: "value" }] });
  assert.deepEqual(target.xAxis, [{ type: "category" }, { type: "value" }]);
});

test("mergeOption returns its target", () => {
  const target = {};
  assert.equal(mergeOption(target, { a: 1 }), target);
});

test("withPatch copies only what the patch touches", () => {
  const option = { series: [{ data: [1], name: "s" }], title: { text: "t" } };
  const shown = withPatch(option, { series: [{ animationDurationUpdate: 0 }], animation: false });
  assert.deepEqual(shown.series, [{ data: [1], name: "s", animationDurationUpdate: 0 }]);
  assert.equal(shown.animation, false);
  assert.equal(shown.title, option.title);
  assert.equal(option.series[0].animationDurationUpdate, undefined);
  assert.equal("animation" in option, false);
});

test("withPatch leaves items that are not objects", () => {
  const shown = withPatch({ xAxis: ["x"] }, { xAxis: [{ a: 1 }] });
  assert.deepEqual(shown.xAxis, ["x"]);
});
