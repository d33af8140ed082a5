import assert from "node:assert/strict";
import { test } from "node:test";

import { animationBudget, animationPatch } from "../src/animation.js";

test("a page updated every 4 s animates each update for 200 ms", () => {
  assert.equal(animationBudget(4000, 0.05), 200);
});

test("below six frames an update is not animated at all", () => {
  assert.equal(animationBudget(1980, 0.05), 0);
  assert.equal(animationBudget(350, 0.05), 0);
  assert.equal(animationBudget(2000, 0.05), 100);
});

test("the option's durations and its components' are cut to the budget", () => {
  const option = {
    animationDurationUpdate: 300,
    animationDuration: 1000,
    xAxis: [{ animationDurationUpdate: 300, animationDuration: 1000 }, { type: "value" }],
    legend: [{ animationDurationUpdate: 800 }],
    title: [{ text: "t" }],
  };
  const patch = animationPatch(option, 200);
  assert.equal(patch.animationDurationUpdate, 200);
  assert.equal(patch.animationDuration, 200);
  assert.deepEqual(patch.xAxis, [{ animationDurationUpdate: 200, animationDuration: 200 }, {}]);
  assert.deepEqual(patch.legend, [{ animationDurationUpdate: 200 }]);
  assert.equal(patch.title, undefined);
});

test("elements that enter with an update do not animate for a second", () => {
  // A new symbol on a live line, new ticks when an axis's range grows: they
  // entered with the first drawing's second of motion at every update.
  const patch = animationPatch({ animationDuration: 1000, series: [{ type: "line" }] }, 0);
  assert.equal(patch.animationDuration, 0);
  assert.equal(patch.series[0].animationDuration, 0);
});

test("every series gets durations: a pie's own default does not follow the option's", () => {
  // ECharts gives pies (and sunbursts, trees, treemaps) their own 500 ms or
  // more: cutting only the option's left them animating every update.
  const option = { animationDurationUpdate: 300, series: [{ type: "pie" }, { type: "bar", animationDurationUpdate: 50 }] };
  assert.deepEqual(animationPatch(option, 0).series.map((s) => s.animationDurationUpdate), [0, 0]);
  assert.deepEqual(animationPatch(option, 400).series.map((s) => s.animationDurationUpdate), [300, 50]);
});

test("without durations in the option, ECharts' defaults are cut", () => {
  const patch = animationPatch({ series: [{ type: "pie" }] }, 800);
  assert.deepEqual([patch.animationDurationUpdate, patch.animationDuration], [500, 800]);
  assert.deepEqual(patch.series, [{ animationDurationUpdate: 500, animationDuration: 800 }]);
});

test("durations given as functions are kept", () => {
  const own = () => 300;
  const patch = animationPatch({ animationDurationUpdate: own, series: [{ animationDurationUpdate: own }] }, 0);
  assert.equal(patch.animationDurationUpdate, own);
  assert.deepEqual(patch.series, [{ animationDuration: 0 }]);  // its own update duration untouched
});
