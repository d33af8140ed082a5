import assert from "node:assert/strict";
import { test } from "node:test";

import { LOAD_TIMEOUT_MS, chartDrawn, createSchedule, frameStatus, retryDelay, step } from "../src/playlist.js";

/** Run `events` ([event, time]) from a fresh schedule: the actions taken. */
function run(count, every, events) {
  let state = createSchedule(count, every, 0);
  const actions = [];
  for (const [event, now] of events) {
    const result = step(state, event, now);
    state = result.state;
    if (result.action) actions.push([result.action.type, result.action.index, now]);
  }
  return { state, actions };
}

test("the first report loads at once and shows when drawn", () => {
  const { state, actions } = run(3, 30000, [["tick", 0], ["tick", 250], ["ready", 400]]);
  assert.deepEqual(actions, [["load", 0, 0], ["show", 0, 400]]);
  assert.equal(state.shown, 0);
  assert.equal(state.due, 30400);
});

test("the next report loads when the current one's time is up, and cycles", () => {
  const { actions } = run(2, 10000, [
    ["tick", 0], ["ready", 100],
    ["tick", 10000], ["tick", 10100], ["ready", 10200],
    ["tick", 20200], ["ready", 20300],
    ["tick", 30300],
  ]);
  assert.deepEqual(actions, [
    ["load", 0, 0], ["show", 0, 100],
    ["load", 1, 10100], ["show", 1, 10200],
    ["load", 0, 20200], ["show", 0, 20300],
    ["load", 1, 30300],
  ]);
});

test("nothing is shown before it has drawn, however long that takes", () => {
  const events = [["tick", 0], ["ready", 10], ["tick", 30010]];
  for (let now = 30010; now < 30010 + LOAD_TIMEOUT_MS; now += 1000) events.push(["tick", now]);
  const { state, actions } = run(2, 30000, events);
  assert.deepEqual(actions, [["load", 0, 0], ["show", 0, 10], ["load", 1, 30010]]);
  assert.equal(state.shown, 0);
  assert.equal(state.loading, 1);
});

test("a failed load keeps the current report and is retried later", () => {
  const { state, actions } = run(2, 30000, [
    ["tick", 0], ["ready", 10],
    ["tick", 30010], ["failed", 30500],
    ["tick", 35000], ["tick", 40499], ["tick", 40500], ["ready", 40600],
  ]);
  assert.deepEqual(actions, [
    ["load", 0, 0], ["show", 0, 10],
    ["load", 1, 30010], ["drop", 1, 30500],
    ["load", 1, 40500], ["show", 1, 40600],
  ]);
  assert.equal(state.shown, 1);
});

test("a load that never draws times out, then is retried", () => {
  const late = 30010 + LOAD_TIMEOUT_MS;
  const { actions } = run(2, 30000, [
    ["tick", 0], ["ready", 10], ["tick", 30010], ["tick", late - 1], ["tick", late],
    ["tick", late + retryDelay(30000)],
  ]);
  assert.deepEqual(actions.slice(2), [
    ["load", 1, 30010], ["drop", 1, late], ["load", 1, late + 10000],
  ]);
});

test("a playlist of one report loads it once", () => {
  const { actions } = run(1, 5000, [["tick", 0], ["ready", 1], ["tick", 5001], ["tick", 60000]]);
  assert.deepEqual(actions, [["load", 0, 0], ["show", 0, 1]]);
});

test("ready or failed with nothing loading changes nothing", () => {
  const start = createSchedule(2, 5000, 0);
  assert.deepEqual(step(start, "ready", 5), { state: start, action: null });
  assert.deepEqual(step(start, "failed", 5), { state: start, action: null });
});

test("retry delays are at most 10 s", () => {
  assert.equal(retryDelay(5000), 5000);
  assert.equal(retryDelay(3600000), 10000);
});

/** A fake element: attributes and children. */
function el(attributes, children) {
  return {
    getAttribute: (name) => (name in attributes ? attributes[name] : null),
    children: (children || []).map((child) => ({
      tagName: child.tag, classList: { contains: (name) => (child.class || "") === name },
    })),
  };
}

test("a chart has drawn once its state is known and it holds a drawing", () => {
  assert.equal(chartDrawn(el({})), false);
  assert.equal(chartDrawn(el({ "data-fpe-state": "loading" }, [{ tag: "DIV" }])), false);
  assert.equal(chartDrawn(el({ "data-fpe-state": "live" }, [{ tag: "SCRIPT" }, { tag: "DIV", class: "fpe-state" }])), false);
  assert.equal(chartDrawn(el({ "data-fpe-state": "live" }, [{ tag: "DIV" }])), true);
  assert.equal(chartDrawn(el({ "data-fpe-state": "static" }, [{ tag: "TABLE" }])), true);
  assert.equal(chartDrawn(el({ "data-fpe-state": "error" })), true); // it says why
});

test("a frame's status", () => {
  const drawn = el({ "data-fpe-state": "live" }, [{ tag: "DIV" }]);
  const doc = (charts) => ({ body: {}, querySelectorAll: () => charts });
  assert.equal(frameStatus({ contentDocument: doc([drawn]) }, false), "waiting");
  assert.equal(frameStatus({ contentDocument: doc([drawn]) }, true), "ready");
  assert.equal(frameStatus({ contentDocument: doc([drawn, el({})]) }, true), "waiting");
  assert.equal(frameStatus({ contentDocument: doc([]) }, true), "failed");
  assert.equal(frameStatus({ contentDocument: null }, true), "failed");
  const foreign = { get contentDocument() { throw new Error("cross-origin"); } };
  assert.equal(frameStatus(foreign, true), "failed");
});
