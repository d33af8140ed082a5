// How a chart stays live: updates from its connection, stream points,
// the recovery of a failing builder, polling a document outside the JSON API,
// and the state its badge shows.

import { stateText } from "./badge.js";
import { DrawnChart } from "./chart-draw.js";
import { reviveFunctions, warnOnce } from "./functions.js";
import { getJSON } from "./http.js";
import { mergeOption } from "./options.js";
import { DEFAULT_INTERVAL, MIN_INTERVAL, page } from "./state.js";
import { pointsFromSeries } from "./streams.js";
import { CLASSES, modifier } from "./classes.js";
import { asArray, backoff, emit, errorMessage, isObject } from "./util.js";
import { buildError, t } from "./messages.js";

/** The live half of a Chart (chart.js), drawn by DrawnChart. */
export class LiveChart extends DrawnChart {
  takePointsFrom(option) {
    const hasData = option.series.some((s) => isObject(s) && Array.isArray(s.data) && s.data.length);
    if (hasData || !this.points.length) this.setPoints(pointsFromSeries(option.series));
  }

  setPoints(points) {
    this.points = [];
    this.addPoints(points);
  }

  addPoints(points) {
    const seriesCount = this.option ? this.option.series.length : 0;
    asArray(points).forEach((point) => {
      if (!Array.isArray(point) || !(point[0] >= 0 && point[0] < seriesCount)) return;
      this.points.push(point);
      this.touched.add(point[0]);
    });
    const window_ = this.doc && this.doc.window;
    if (window_ > 0 && this.points.length > window_) {
      this.points.splice(0, this.points.length - window_);
    }
  }

  // -- updates from the connection

  applyUpdate(update) {
    if (this.destroyed || this.paused) return;
    if (update.type === "option" && isObject(update.composite)) {
      this.since = update.etag || this.since;
      this.showComposite(update.composite, update.scripts);
    } else if (update.type === "option" && update.patch) {
      this.applyPatch(update);
    } else if (update.type === "option") {
      this.since = update.etag || this.since;
      this.applyOption(update.option, update.functions, update.scripts, update.theme, update.js_functions);
    } else if (update.type === "points" || update.type === "reset") {
      // Points follow the cursor they name: anything else was repeated or
      // missed (a write cut short, a proxy), so start again from the document.
      if (update.type === "points" && update.from && this.since && update.from !== this.since) {
        return this.resync();
      }
      this.since = update.cursor || this.since;
      if (!this.option) return;
      if (update.type === "reset") this.setPoints(update.points);
      else this.addPoints(update.points);
      this.chartError = null;
      this.schedule("points");
    } else if (update.type === "error") {
      this.chartError = buildError(update);
      this.updateState();
      if (!this.probing) this.scheduleProbe(0);
    }
  }

  /** A patch applies to the option it was made from; otherwise reload. */
  applyPatch(update) {
    if (!this.option || this.isStream() || update.base !== this.since) return this.resync();
    const failure = reviveFunctions(update.patch, update.functions);
    if (failure) warnOnce(failure);
    this.since = update.etag;
    mergeOption(this.option, update.patch);
    this.patches.push(update.patch);
    this.chartError = null;
    this.schedule("points");
  }

  /** Fetch the document again and follow from there (exactly once). */
  resync() {
    this.since = "";
    if (this.connection) this.connection.changed();
    this.load();
  }

  // -- recovery of a failing builder

  /**
   * A builder that recovers with the option it had before failing keeps its
   * etag, so no `option` update follows the error: ask with If-None-Match.
   */
  scheduleProbe(failures) {
    clearTimeout(this.probeTimer);
    this.probing = !!this.chartError && !this.destroyed && !this.paused;
    if (!this.probing) return;
    this.probeTimer = setTimeout(() => this.probe(failures), backoff(failures, this.documentInterval()));
  }

  async probe(failures) {
    if (!this.chartError || this.destroyed) return this.scheduleProbe(0);
    let result;
    try {
      result = await getJSON(this.documentUrl(this.key()), this.isStream() ? null : this.since);
    } catch (error) {
      result = { error: errorMessage(error) };
    }
    if (this.destroyed) return;
    if (!result.error && this.chartError) {
      this.chartError = null;
      if (result.status === 200 && result.body) await this.applyDocument(result.body);
      this.updateState();
    }
    this.scheduleProbe(failures + 1);
  }

  // -- polling the chart document (URL outside the JSON API)

  scheduleDocumentPoll(delay) {
    clearTimeout(this.timer);
    if (this.destroyed || this.paused || document.hidden) return;
    this.timer = setTimeout(() => this.pollDocument(), delay);
  }

  documentInterval() {
    if (page.interval) return page.interval;
    return this.doc && this.doc.refresh ? Math.max(MIN_INTERVAL, this.doc.refresh * 1000) : DEFAULT_INTERVAL;
  }

  async pollDocument() {
    if (this.inflight || this.destroyed) return;
    this.inflight = true;
    let result;
    try {
      result = await getJSON(this.documentUrl(this.key()), this.isStream() ? null : this.since);
    } catch (error) {
      result = { error: errorMessage(error) };
    }
    this.inflight = false;
    if (this.destroyed) return;
    if (result.error) {
      this.failures += 1;
      this.connectionError = result.error;
    } else {
      this.failures = 0;
      this.connectionError = null;
      if (result.status === 200 && result.body) await this.applyDocument(result.body);
    }
    this.updateState();
    this.scheduleDocumentPoll(this.failures ? backoff(this.failures, this.documentInterval()) : this.documentInterval());
  }

  refresh() {
    if (this.connection) this.connection.pollNow();
    else if (this.doc && this.url) this.scheduleDocumentPoll(0);
  }

  // -- state

  computeState() {
    if (this.paused && this.doc && this.url && this.doc.kind !== "static") {
      return { state: "paused", message: "" };
    }
    if (!(this.option || this.composite) || !this.rendered) {
      if (this.loadError) return { state: "error", message: this.loadError };
      return { state: "loading", message: "" };
    }
    if (this.loadError) return { state: "error", message: this.loadError };
    if (this.switching) return { state: "loading", message: "" };
    if (!this.url || !this.doc || this.doc.kind === "static") return { state: "static", message: "" };
    if (this.chartError) return { state: "stale", message: this.chartError };
    // Built once: it will not change, so it is not "live".
    if (this.doc.kind === "full" && !this.doc.refresh) return { state: "static", message: "" };
    const link = this.connection ? this.connection.health() : {
      mode: "poll", message: this.connectionError || "", fallback: false,
    };
    if (link.message) return { state: "stale", message: link.message };
    if (link.mode === "poll") {
      return { state: "polling", message: link.fallback ? t("state.no_stream") : "" };
    }
    return { state: "live", message: "" };
  }

  updateState() {
    if (this.destroyed || !this.badge) return;
    const next = this.computeState();
    const changed = next.state !== this.status.state || next.message !== this.status.message;
    if (!changed && this.shownNotice === this.notice) return;
    this.status = next;
    this.shownNotice = this.notice;
    const text = this.notice ||
      (next.state === "static" ? "" : stateText(next.state, next.message));
    this.badge.textContent = text;
    this.badge.title = text;
    this.badge.className = CLASSES.state + " " + modifier(CLASSES.state, this.notice ? "notice" : next.state) +
      ((this.option || this.composite) && this.rendered ? "" : " " + CLASSES.overlay);
    this.badge.hidden = !text;
    if (!changed) return;
    this.el.setAttribute("data-fpe-state", next.state);
    emit(this.el, "state", { chart: this.name, state: next.state, message: next.message });
  }

}
