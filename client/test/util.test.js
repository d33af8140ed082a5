import assert from "node:assert/strict";
import { test } from "node:test";

import { absolute, asArray, backoff, errorMessage, isObject, msToBeat, retryDelay, splitChartUrl } from "../src/util.js";

test("backoff doubles from its base, within 10 % either way", () => {
  for (let failures = 0; failures < 4; failures++) {
    const delay = backoff(failures, 1000);
    const expected = 1000 * 2 ** failures;
    assert.ok(delay >= 0.9 * expected && delay <= 1.1 * expected, `${failures}: ${delay}`);
  }
});

test("backoff stops growing at 30 s", () => {
  assert.ok(backoff(20, 1000) <= 33000);
  assert.ok(backoff(20, 1000) >= 27000);
});

test("retryDelay waits at least the server's Retry-After", () => {
  assert.ok(retryDelay({ retryAfter: 60 }, 0, 1000) >= 60000);
  assert.ok(retryDelay({}, 0, 1000) < 2000);
});

test("splitChartUrl finds the API base and the chart's name", () => {
  assert.deepEqual(splitChartUrl("http://h/charts/api/charts/sales"), { base: "http://h/charts/api/", name: "sales" });
  assert.deepEqual(splitChartUrl("/api/charts/%E9%94%80%E5%94%AE/?x=1"), { base: "/api/", name: "销售" });
  assert.equal(splitChartUrl("/api/other/sales"), null);
});

test("absolute resolves against the base it is given", () => {
  assert.equal(absolute("b.js", "http://h/a/"), "http://h/a/b.js");
  assert.equal(absolute("/b.js", "http://h/a/"), "http://h/b.js");
});

test("isObject is true for plain objects only", () => {
  assert.equal(isObject({}), true);
  assert.equal(isObject([]), false);
  assert.equal(isObject(null), false);
  assert.equal(isObject("x"), false);
});

test("asArray wraps one value and drops null", () => {
  assert.deepEqual(asArray(1), [1]);
  assert.deepEqual(asArray(null), []);
  assert.deepEqual(asArray(undefined), []);
  const list = [1, 2];
  assert.equal(asArray(list), list);
});

test("errorMessage prefers the error's message", () => {
  assert.equal(errorMessage(new Error("boom")), "boom");
  assert.equal(errorMessage("plain"), "plain");
  assert.equal(errorMessage(null), "Unknown error");
});

test("msToBeat: motion on whole multiples of a period of the wall clock, never twice on one beat", () => {
  assert.equal(msToBeat(10_000, 2000, 1000), 2000);    // on a beat: the next one
  assert.equal(msToBeat(10_500, 2000, 1000), 1500);
  assert.equal(msToBeat(11_200, 2000, 1000), 2800);    // the next beat is too close
  assert.equal(msToBeat(11_999, 2000, 1000), 2001);    // a timer a little early
  assert.equal(msToBeat(12_000, 1000, 600), 1000);     // a move ends on the next second
  assert.equal(msToBeat(12_300, 1000, 600), 700);
  assert.equal(msToBeat(-500, 1000, 0), 500);
});
