import assert from "node:assert/strict";
import { test } from "node:test";

import { handsOver, probeDelay, queryOf, serverAway, silenceLimit, subscribed, updatesOf } from "../src/connection.js";

test("probes double from 300 ms and stay at most 2.4 s apart, at least half that", () => {
  const low = () => 0;
  const high = () => 0.999999;
  assert.deepEqual([1, 2, 3, 4, 5, 50].map((n) => probeDelay(n, low)), [150, 300, 600, 1200, 1200, 1200]);
  assert.deepEqual([1, 2, 3, 4, 5, 50].map((n) => Math.round(probeDelay(n, high))), [300, 600, 1200, 2400, 2400, 2400]);
});

test("pages that lost the server together probe at spread instants", () => {
  const delays = Array.from({ length: 1000 }, () => probeDelay(10));
  const seconds = new Set(delays.map((delay) => Math.floor(delay / 100)));
  assert.ok(seconds.size >= 10, "spread over at least a second, in 100 ms bins");
});

test("the server is away when nothing answers or a gateway says so, not when it refuses", () => {
  assert.equal(serverAway({ error: "Network error" }), true);
  assert.equal(serverAway({ status: 502, error: "HTTP 502" }), true);
  assert.equal(serverAway({ status: 504, error: "HTTP 504" }), true);
  assert.equal(serverAway({ status: 400, error: "bad" }), false);
  assert.equal(serverAway({ status: 404, error: "gone" }), false);
});

test("a stream silent for a heartbeat and a quarter is checked", () => {
  assert.equal(silenceLimit({ every: 15 }), 18750);
  assert.equal(silenceLimit({ every: 0.5 }), 625);
  assert.equal(silenceLimit(null), 18750);  // before the first ping: the default heartbeat
  assert.equal(silenceLimit({ every: "x" }), 18750);
});

test("only a ping that says so ends a stream without it counting as a failure", () => {
  assert.equal(handsOver({ every: 15, reconnect: true }), true);
  assert.equal(handsOver({ every: 15 }), false);
  assert.equal(handsOver({ every: 15, reconnect: "yes" }), false);
  assert.equal(handsOver(null), false);
  assert.equal(handsOver([true]), false);
});

test("pages that follow the same charts ask one URL, whatever their order", () => {
  const charts = [
    { name: "sales", since: "\"e1\"", uses: ["region"] },
    { name: "orders", since: "k2.41", uses: [] },
    { name: "by_day", since: "", uses: ["days", "region"] },
    { name: "paused", since: "x", paused: true },
  ];
  const values = new Map([["region", "华东"], ["days", "7"], ["other", "1"]]);
  const one = queryOf(subscribed(charts, values));
  const other = queryOf(subscribed([...charts].reverse(), new Map([...values].reverse())));
  assert.equal(one, other);
  assert.equal(one, "charts=by_day,orders,sales&since=,k2.41,%22e1%22&days=7&region=%E5%8D%8E%E4%B8%9C");
});

test("each name keeps its own since when the names are sorted", () => {
  const sub = subscribed([{ name: "b", since: "B" }, { name: "a", since: "A" }, { name: "b", since: "B2" }], new Map());
  assert.deepEqual(sub.names, ["a", "b"]);
  assert.deepEqual(sub.since, ["A", "B"]);
});

test("an updates event (nchan's message for a page's charts) gives its updates in order", () => {
  const data = '[{"type":"points","chart":"a","cursor":"e.3","from":"e.1","points":[[0,1],[0,2]]},' +
    '{"type":"option","chart":"b","etag":"x","option":{}},\n{"type":"error","chart":"c","error":"no"}]';
  assert.deepEqual(updatesOf(data).map((update) => [update.type, update.chart]), [["points", "a"], ["option", "b"], ["error", "c"]]);
  assert.deepEqual(updatesOf("[]"), []);
  assert.deepEqual(updatesOf("not json"), []);
  assert.deepEqual(updatesOf('{"type":"points"}'), []);  // not an array
  assert.deepEqual(updatesOf('[1, null, {"chart":"a"}, {"type":"reset","chart":"a"}]').map((u) => u.type), ["reset"]);
});
