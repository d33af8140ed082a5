import assert from "node:assert/strict";
import { test } from "node:test";

import { probeDelay, serverAway, silenceLimit } from "../src/connection.js";

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

test("a stream is given up after two and a half heartbeats of silence", () => {
  assert.equal(silenceLimit({ every: 15 }), 37500);
  assert.equal(silenceLimit({ every: 0.5 }), 1250);
  assert.equal(silenceLimit(null), 37500);  // before the first ping: the default heartbeat
  assert.equal(silenceLimit({ every: "x" }), 37500);
});
