import assert from "node:assert/strict";
import { test } from "node:test";

import {
  fitScale, formatClock, isFullscreenKey, msToNextSecond, pixelRatio, stageTransform,
} from "../src/screen.js";

const HD = { width: 1920, height: 1080 };

test("contain: the whole page, centred, on every display", () => {
  assert.deepEqual(fitScale("contain", HD, { width: 1920, height: 1080 }), { sx: 1, sy: 1, left: 0, top: 0 });
  assert.deepEqual(fitScale("contain", HD, { width: 3840, height: 2160 }), { sx: 2, sy: 2, left: 0, top: 0 });
  const wide = fitScale("contain", HD, { width: 1366, height: 768 });
  assert.equal(wide.sx, 768 / 1080);  // the height binds: a third of a pixel each side
  assert.ok(wide.left > 0 && wide.left < 1 && wide.top === 0);
  const portrait = fitScale("contain", HD, { width: 1080, height: 1920 });
  assert.equal(portrait.sx, 0.5625);
  assert.equal(portrait.top, (1920 - 1080 * 0.5625) / 2);  // letterbox above and below
  const tall = fitScale("contain", HD, { width: 2560, height: 1080 });
  assert.deepEqual([tall.sx, tall.left, tall.top], [1, 320, 0]);
});

test("width, height and stretch", () => {
  assert.deepEqual(fitScale("width", HD, { width: 960, height: 1000 }), { sx: 0.5, sy: 0.5, left: 0, top: 230 });
  assert.deepEqual(fitScale("height", HD, { width: 3000, height: 540 }), { sx: 0.5, sy: 0.5, left: 1020, top: 0 });
  assert.deepEqual(fitScale("stretch", HD, { width: 960, height: 2160 }), { sx: 0.5, sy: 2, left: 0, top: 0 });
  // Wider than the display: the page starts at the left edge, never off screen to the left.
  assert.equal(fitScale("height", HD, { width: 1000, height: 1080 }).left, 0);
});

test("the transform places the page, rounded to hundredths of a pixel", () => {
  assert.equal(stageTransform({ sx: 0.5, sy: 0.5, left: 10.123, top: 0 }), "translate(10.12px, 0px) scale(0.5, 0.5)");
});

test("charts render at device pixels: the window's ratio times the scale", () => {
  assert.equal(pixelRatio(1, { sx: 2, sy: 2 }), 2);
  assert.equal(pixelRatio(2, { sx: 1, sy: 1 }), 2);
  assert.equal(pixelRatio(1.5, { sx: 0.5, sy: 2 }), 3);
  assert.equal(pixelRatio(1, { sx: 0.4, sy: 0.4 }), 1);  // never below one pixel per pixel
  assert.equal(pixelRatio(4, { sx: 4, sy: 4 }), 6);      // bounded
  assert.equal(pixelRatio(undefined, { sx: 1, sy: 1 }), 1);
});

test("the clock reads in the page's language, 24 hours, with seconds", () => {
  const date = new Date(Date.UTC(2026, 11, 6, 7, 5, 9));
  const zh = formatClock(date, "zh-CN", "UTC");
  assert.match(zh, /2026/);
  assert.match(zh, /周日/);
  assert.match(zh, /07:05:09/);
  const en = formatClock(date, "en", "UTC");
  assert.match(en, /Sun/);
  assert.match(en, /07:05:09/);
  assert.notEqual(zh, en);
  assert.match(formatClock(new Date(Date.UTC(2026, 0, 1, 23, 0, 0)), "en", "UTC"), /23:00:00/);
});

test("the clock ticks on the second", () => {
  assert.equal(msToNextSecond(5000), 1000);
  assert.equal(msToNextSecond(5001), 999);
  assert.equal(msToNextSecond(5999), 1);
});

test("F or Enter, alone and outside a field, asks for full screen", () => {
  const key = (key, extra) => Object.assign({ key, target: { tagName: "BODY" } }, extra);
  assert.ok(isFullscreenKey(key("f")));
  assert.ok(isFullscreenKey(key("F")));
  assert.ok(isFullscreenKey(key("Enter")));
  assert.ok(!isFullscreenKey(key("g")));
  assert.ok(!isFullscreenKey(key("f", { ctrlKey: true })));
  assert.ok(!isFullscreenKey(key("f", { repeat: true })));
  assert.ok(!isFullscreenKey(key("f", { target: { tagName: "INPUT" } })));
});
