// One event stream (or one polling loop) per API base, shared by its charts:
// subscriptions, the fall-back to polling and back, batched polls.

import { getJSON } from "./http.js";
import { DEFAULT_INTERVAL, MIN_INTERVAL, connections, page, vars } from "./state.js";
import { asArray, emit, errorMessage, isObject, retryDelay } from "./util.js";
import { keyOf } from "./variables.js";
import { t } from "./messages.js";

const SSE_FAILURES_BEFORE_POLLING = 3;
const STREAM_RETRY_MS = 5000;     // after falling back to polling: 5 s, 10 s...
const MAX_STREAM_RETRY_MS = 300000;
const ALIGN_MS = 20;              // poll this long after a rebuild falls due
const ALIGN_JITTER_MS = 40;       // spread pollers a little
const HEALTHY_STREAM_MS = 30000;
const PENDING_WAIT_MS = 2000;
// While the server does not answer, it is probed at most this far apart (and
// at least half as far, at random): a page is live again within about 3 s of
// the server answering, however long it was away, and many pages that lost it
// at the same moment come back spread over a couple of seconds, not at once.
const PROBE_FIRST_MS = 300;
const PROBE_CAP_MS = 2400;
const PROBE_TIMEOUT_MS = 5000;

// A stream silent for this many of the server's heartbeats is suspect: no
// error ever comes for a connection whose packets are lost (a cut network),
// so the page probes the server. An answer while the stream stays silent
// means the stream is dead (reopen it); no answer, that the server or the
// network is away (probe on, and reopen as soon as one answers).
const SILENT_HEARTBEATS = 1.25;
const DEFAULT_HEARTBEAT_MS = 15000;

/** How long a stream may stay silent before it is checked, from the period
 * of its `ping` events. */
export function silenceLimit(ping) {
  const every = ping && typeof ping.every === "number" && ping.every > 0 ? ping.every * 1000 : DEFAULT_HEARTBEAT_MS;
  return SILENT_HEARTBEATS * every;
}

/** Whether a `ping` says the server ends the stream to hand the page over
 * (to nchan): it reconnects at once, and the end is no failure. */
export function handsOver(ping) {
  return isObject(ping) && ping.reconnect === true;
}

/** The updates of an `updates` event (what nchan sends: the updates of one
 * publication for all of a page's charts, a JSON array), in order; none
 * if its data is not such an array. */
export function updatesOf(data) {
  let updates;
  try { updates = JSON.parse(data); } catch (e) { return []; }
  return Array.isArray(updates) ? updates.filter((update) => isObject(update) && typeof update.type === "string") : [];
}

/** The wait before the `attempt`-th probe (1, 2...): doubling, capped, jittered. */
export function probeDelay(attempt, random = Math.random) {
  const delay = Math.min(PROBE_CAP_MS, PROBE_FIRST_MS * Math.pow(2, attempt - 1));
  return delay * (0.5 + 0.5 * random());
}

/** Whether a failed request says the server is away (no answer, or a
 * gateway's 502-504), rather than that it refused the request. */
export function serverAway(result) {
  return !result.status || result.status === 502 || result.status === 503 || result.status === 504;
}

/**
 * What `charts` follow: names (sorted: one URL per question, whatever the
 * order of the page's charts, so that a shared cache answers every page that
 * asks it) and their `since`, one per name (paused charts are left out), and
 * the variables `values` now, of which the query sends those they use.
 */
export function subscribed(charts, values) {
  const since = new Map();
  const uses = new Set();
  charts.forEach((chart) => {
    if (chart.paused || !chart.name || since.has(chart.name)) return;
    since.set(chart.name, chart.since);
    asArray(chart.uses).forEach((name) => uses.add(name));
  });
  const names = Array.from(since.keys()).sort();
  return {
    names: names, since: names.map((name) => since.get(name)),
    values: new Map(values), uses: Array.from(uses),
  };
}

/** The query string of a subscription: `charts=a,b&since=Sa,Sb&x=1&y=2`. */
export function queryOf(sub) {
  const variables = keyOf(sub.values, sub.uses);
  return "charts=" + sub.names.map(encodeURIComponent).join(",") +
    "&since=" + sub.since.map((s) => encodeURIComponent(s || "")).join(",") +
    (variables ? "&" + variables : "");
}

export function connectionFor(base, transport) {
  let connection = connections.get(base);
  if (!connection) {
    connection = new Connection(base, transport);
    connections.set(base, connection);
  } else if (transport === "poll" && connection.mode !== "poll") {
    connection.usePolling(false);
  }
  return connection;
}

/** One event stream (or one polling loop) per API base, for all its charts. */
export class Connection {
  constructor(base, transport) {
    this.base = base;
    this.mode = transport === "poll" || typeof window.EventSource === "undefined" ? "poll" : "sse";
    this.fallback = false;
    this.members = new Set();
    this.pending = new Set();   // charts still loading their first document
    this.source = null;
    this.sourceErrors = 0;
    this.openedAt = 0;
    this.reconnectTimer = 0;
    this.reopenTimer = 0;
    this.pollTimer = 0;
    this.polling = false;
    this.failures = 0;
    this.problem = "";
    this.silenceCheck = null;  // the probes of a silent stream, while they run
    this.handedOver = null;    // the stream the server said it ends to hand over
  }

  expect(chart) {
    this.pending.add(chart);
  }

  add(chart) {
    this.pending.delete(chart);
    this.members.add(chart);
    this.changed();
  }

  /** The chart leaves (or never joins) the stream until it loads again. */
  release(chart) {
    const member = this.members.delete(chart);
    if (this.pending.delete(chart) || member) this.changed();
  }

  remove(chart) {
    this.pending.delete(chart);
    this.members.delete(chart);
    this.changed();
  }

  /**
   * The subscribed set changed: reopen once, when the charts still loading
   * have joined (or after PENDING_WAIT_MS if one is slow).
   */
  changed() {
    clearTimeout(this.reopenTimer);
    this.reopenTimer = setTimeout(() => this.restart(), this.pending.size ? PENDING_WAIT_MS : 30);
  }

  subscription() {
    return subscribed(this.members, vars.values);
  }

  health() {
    return { mode: this.mode, message: this.problem, fallback: this.fallback };
  }

  setProblem(message) {
    if (message === this.problem) return;
    this.problem = message;
    this.members.forEach((chart) => chart.updateState());
    this.announce();
  }

  /** Tell the page the connection changed (the dashboard header shows it). */
  announce() {
    emit(document.documentElement, "connection", this.health());
  }

  /** The device is online again: a stream may have died unseen meanwhile. */
  reconnect() {
    if (this.mode === "sse") this.restart();
    else this.pollNow();
  }

  restart() {
    this.close();
    if (!this.members.size && !this.pending.size) {
      connections.delete(this.base);
      return;
    }
    if (!this.subscription().names.length) return;
    if (this.mode === "sse") return this.open();
    this.pollNow();
    if (this.fallback) this.armStreamRetry();
  }

  close() {
    if (this.source) this.source.close();
    this.source = null;
    clearTimeout(this.silenceTimer);
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.pollTimer);
    clearTimeout(this.retryTimer);
  }

  /** An update, sent for these variable values, to the charts showing them. */
  dispatch(update, values) {
    if (!isObject(update)) return;
    this.members.forEach((chart) => {
      if (chart.name === update.chart && chart.accepts(values)) chart.applyUpdate(update);
    });
  }

  // -- the event stream

  open() {
    const sub = this.subscription();
    const source = new EventSource(this.base + "events?" + queryOf(sub));
    this.source = source;
    let limit = silenceLimit(null);
    const heard = () => {  // anything from the server: the stream is alive
      clearTimeout(this.silenceTimer);
      this.silenceCheck = null;
      this.silenceTimer = setTimeout(() => this.checkSilence(source, 0), limit);
    };
    source.addEventListener("ping", (event) => {
      if (this.source !== source) return;
      let ping = null;
      try { ping = JSON.parse(event.data); } catch (e) { /* keep the default */ }
      limit = silenceLimit(ping);
      if (handsOver(ping)) this.handedOver = source;
      heard();
    });
    const received = () => {
      if (this.source !== source) return false;
      heard();
      this.sourceErrors = 0;
      this.setProblem("");
      return true;
    };
    const handle = (type) => (event) => {
      if (!received()) return;
      let update;
      try { update = JSON.parse(event.data); } catch (e) { return; }
      if (type === "chart-error") update.type = "error";
      else update.type = update.type || type;
      this.dispatch(update, sub.values);
    };
    ["option", "points", "reset", "chart-error"].forEach((type) => source.addEventListener(type, handle(type)));
    source.addEventListener("updates", (event) => {
      if (received()) updatesOf(event.data).forEach((update) => this.dispatch(update, sub.values));
    });
    source.onopen = () => {
      if (this.source !== source) return;
      heard();
      this.openedAt = Date.now();
      if (this.probing) {  // back from polling to the event stream
        this.probing = false;
        this.fallback = false;
        this.streamRetries = 0;
        this.members.forEach((chart) => chart.updateState());
      }
      this.setProblem("");
      this.announce();
    };
    source.onerror = () => {
      if (this.source !== source) return;
      if (this.handedOver === source) this.restart();  // ended on purpose
      else this.streamFailed(source);
    };
    // A stream opened into a cut network is never answered and never fails:
    // one that has not opened by then is checked like a silent one.
    heard();
  }

  /**
   * The event stream broke. We reconnect ourselves, not the browser (whose
   * retries every `retry` ms would bring every page back at the same instant):
   * first a probe of the server, then the stream from where each chart is.
   * Only a stream that fails while the server answers counts towards the
   * fall-back to polling: an outage is not the stream's fault.
   */
  streamFailed(source) {
    if (this.probing) {  // the event stream is still unavailable: poll on
      this.probing = false;
      return this.usePolling(true);
    }
    // A stream that lived a while and was cut (proxy timeout) is not a failure.
    if (this.openedAt && Date.now() - this.openedAt > HEALTHY_STREAM_MS) this.sourceErrors = 0;
    this.openedAt = 0;
    this.sourceErrors += 1;
    source.close();
    this.source = null;
    if (this.sourceErrors >= SSE_FAILURES_BEFORE_POLLING) return this.usePolling(true);
    this.setProblem(t("error.connection_lost"));
    this.probeServer(0);
  }

  /**
   * The stream has been silent past its heartbeat: probe the server, keeping
   * the stream in case it was only slow (anything heard from it ends the
   * check). Probes go out capped and jittered like `probeServer`'s, each
   * without waiting for the one before (on a cut network a probe hangs until
   * its timeout): the first answer after the network's return reopens.
   */
  checkSilence(source, attempt) {
    if (this.source !== source) return;
    const check = attempt ? this.silenceCheck : (this.silenceCheck = {});
    this.silenceTimer = setTimeout(async () => {
      if (this.source !== source || this.silenceCheck !== check) return;
      this.checkSilence(source, attempt + 1);
      let result;
      try {
        result = await getJSON(this.base + "charts", null, PROBE_TIMEOUT_MS);
      } catch (error) {
        result = { error: errorMessage(error) };
      }
      if (this.source !== source || this.silenceCheck !== check) return;  // heard, or moved on
      if (result.error && serverAway(result)) return this.setProblem(t("error.server_away"));
      this.silenceCheck = null;
      this.streamFailed(source);  // the server answers, the stream does not
    }, attempt ? probeDelay(attempt) : 0);
  }

  /** Probe the server until it answers (capped, jittered), then reopen. */
  probeServer(attempt) {
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(async () => {
      let result;
      try {
        result = await getJSON(this.base + "charts", null, PROBE_TIMEOUT_MS);
      } catch (error) {
        result = { error: errorMessage(error) };
      }
      if (this.source || this.mode !== "sse" || !this.members.size) return;  // moved on meanwhile
      if (result.error && serverAway(result)) {
        this.sourceErrors = 0;
        this.setProblem(t("error.server_away"));
        return this.probeServer(attempt + 1);
      }
      this.restart();
    }, attempt ? probeDelay(attempt) : 0);
  }

  usePolling(fallback) {
    this.close();
    this.mode = "poll";
    this.fallback = fallback;
    this.problem = "";
    this.members.forEach((chart) => chart.updateState());
    this.announce();
    this.pollNow();
    if (fallback) this.armStreamRetry();
  }

  /** Try the event stream again later, less and less often. */
  armStreamRetry() {
    const delay = Math.min(MAX_STREAM_RETRY_MS, STREAM_RETRY_MS * Math.pow(2, this.streamRetries || 0));
    this.streamRetries = (this.streamRetries || 0) + 1;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.tryStream(), delay);
  }

  /** Leave polling for the event stream; back to polling if it fails. */
  tryStream() {
    if (this.mode !== "poll" || !this.fallback || typeof window.EventSource === "undefined") return;
    if (this.polling) {  // let the request in flight land first: no update twice
      this.retryTimer = setTimeout(() => this.tryStream(), 200);
      return;
    }
    clearTimeout(this.pollTimer);
    this.mode = "sse";
    this.probing = true;
    if (this.subscription().names.length) this.open();
  }

  // -- batched polling

  interval() {
    if (page.interval) return page.interval;
    let shortest = Infinity;
    this.members.forEach((chart) => {
      if (chart.doc && chart.doc.kind === "full" && chart.doc.refresh > 0) {
        shortest = Math.min(shortest, chart.doc.refresh * 1000);
      }
    });
    return shortest === Infinity ? DEFAULT_INTERVAL : Math.max(MIN_INTERVAL, shortest);
  }

  schedulePoll(delay) {
    clearTimeout(this.pollTimer);
    if (this.mode !== "poll" || document.hidden || !this.members.size) return;
    this.pollTimer = setTimeout(() => this.poll(), delay);
  }

  pollNow() {
    if (this.mode === "sse") return;
    this.schedulePoll(0);
  }

  async poll() {
    if (this.polling || this.mode !== "poll" || document.hidden) return;
    const sub = this.subscription();
    if (!sub.names.length) return;
    this.polling = true;
    let result;
    try {
      result = await getJSON(this.base + "updates?" + queryOf(sub), null, Math.max(10000, 3 * this.interval()));
    } catch (error) {
      result = { error: errorMessage(error) };
    }
    this.polling = false;
    if (result.error || !isObject(result.body)) {
      this.failures += 1;
      this.setProblem(result.error || t("error.bad_answer"));
    } else {
      this.failures = 0;
      asArray(result.body.updates).forEach((update) => this.dispatch(update, sub.values));
      this.applySince(sub, result.body.since);
      this.setProblem("");
    }
    const interval = this.interval();
    let delay = this.failures ? retryDelay(result, this.failures, interval) : interval;
    if (this.failures && serverAway(result) && !result.retryAfter) {  // probe, do not back off
      delay = Math.min(delay, probeDelay(this.failures));
    }
    const next = !this.failures && !page.interval && result.body ? result.body.next : null;
    if (typeof next === "number") {  // just after the next rebuild is due
      delay = Math.min(interval, Math.max(MIN_INTERVAL / 5, next * 1000 + ALIGN_MS + Math.random() * ALIGN_JITTER_MS));
    }
    this.schedulePoll(delay);
  }

  applySince(sub, since) {
    if (typeof since !== "string") return;
    const tokens = since.split(",");
    sub.names.forEach((name, index) => {
      this.members.forEach((chart) => {
        if (chart.name !== name || chart.paused || tokens[index] === undefined) return;
        if (chart.accepts(sub.values)) chart.since = tokens[index];
      });
    });
  }
}
