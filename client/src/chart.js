// A chart on the page: its element, its document (fetched, embedded or a
// composite's part), its variables and clicks, its place in a connection.
// Drawing is in chart-draw.js, live updates and state in chart-live.js.

import { createBadge, ensureContainer } from "./badge.js";
import { LiveChart } from "./chart-live.js";
import { CLASSES } from "./classes.js";
import { Composite } from "./composites.js";
import { connectionFor } from "./connection.js";
import { loadScripts, reviveFunctions, runJsFunctions, warnOnce } from "./functions.js";
import { getJSON } from "./http.js";
import { globeTexture } from "./parts.js";
import { page, vars } from "./state.js";
import { absolute, asArray, attr, emit, errorMessage, isObject, retryDelay, splitChartUrl } from "./util.js";
import {
  clickTarget, effective, fetchDeclarations, keyOf, learn, refusal, setVariables,
} from "./variables.js";
import { buildError, t } from "./messages.js";

const NOTICE_MS = 5000;           // how long a refused click's message shows

export class Chart extends LiveChart {
  constructor(el, url, options) {
    super();
    this.el = el;
    this.options = options || {};
    this.url = url ? absolute(url) : null;
    const parts = this.url ? splitChartUrl(this.url.split(/[?#]/)[0]) : null;
    const api = this.options.api || attr(el, "data-api");
    this.base = api ? absolute(api) : parts ? parts.base : null;
    this.name = this.options.name || (parts ? parts.name : null);
    this.transport = (this.options.transport || attr(el, "data-transport") || "sse") === "poll" ? "poll" : "sse";
    this.strictStyles = (this.options.csp || attr(el, "data-csp")) === "strict";
    this.doc = null;          // the chart document, minus its option
    this.option = null;       // the revived option last applied
    this.since = "";          // cursor (stream) or etag (full)
    this.points = [];         // stream: [series, value] in arrival order
    this.touched = new Set(); // stream: series indexes that ever had points
    this.fitted = null;
    this.instance = null;
    this.card = null;         // a number card's drawing (cards.js), if it is one
    this.themeName = null;
    this.paused = page.pausedAll;
    this.dirty = { option: false, points: false };
    this.patches = [];        // option patches received since the last frame
    this.frame = 0;
    this.status = { state: null, message: "" };
    this.loadError = null;
    this.chartError = null;
    this.connection = null;
    this.timer = 0;
    this.failures = 0;
    this.inflight = false;
    this.destroyed = false;
    // Variables: the ones it uses (null: not known yet), the values its
    // option was built for, what a click sets, a refused click's message.
    const uses = el.getAttribute("data-fpe-variables");
    this.uses = uses === null ? null : uses.split(",").filter(Boolean);
    learn(this.uses);
    this.loadedKey = null;
    this.switching = false;
    this.clicks = null;
    this.notice = "";
    this.loading = null;
  }

  /** The chosen values of the variables it uses, as a query string. */
  key(values) {
    return keyOf(values || vars.values, this.uses || Array.from(vars.known));
  }

  usesAny(names) {
    const uses = this.uses || Array.from(vars.known);
    return !!this.url && names.some((name) => uses.indexOf(name) >= 0);
  }

  /** Whether an update sent for these variable values is for what it shows. */
  accepts(values) {
    return this.loadedKey === null || this.key(values) === this.loadedKey;
  }

  documentUrl(key) {
    if (!key) return this.url;
    return this.url + (this.url.indexOf("?") >= 0 ? "&" : "?") + key;
  }

  start() {
    // Known early, so the page's stream opens once all first loads are done.
    if (this.url && this.base && this.name) {
      this.connection = connectionFor(this.base, this.transport);
      this.connection.expect(this);
    }
    ensureContainer(this.el);
    this.badge = createBadge(this.el);
    this.observeSize();
    this.updateState();
    const initial = this.el.querySelector("script.fpe-initial");
    if (this.options.document) {  // a part of a composite
      this.applyDocument(this.options.document).then(() => this.goLive());
    } else if (initial) {
      let doc = null;
      try {
        doc = JSON.parse(initial.textContent);
      } catch (error) {
        this.fail(t("error.embedded_json", { error: errorMessage(error) }));
      }
      if (doc) {
        this.applyDocument(doc).then(() => {
          this.loadedKey = this.key();  // rendered for the page's URL
          this.goLive();
        });
      }
    } else if (this.url) {
      this.load();
    } else {
      this.fail(t("error.no_chart"));
    }
  }

  /** Fetch the document for the page's variables; one request at a time. */
  load() {
    if (this.destroyed) return Promise.resolve();
    if (!this.loading) this.loading = this.fetchDocument().finally(() => { this.loading = null; });
    return this.loading;
  }

  async fetchDocument() {
    for (let round = 0; round < 5; round++) {
      const values = new Map(vars.values);
      const key = this.key(values);
      let result;
      try {
        result = await getJSON(this.documentUrl(key));
      } catch (error) {
        result = { error: errorMessage(error) };
      }
      if (this.destroyed) return;
      if (this.key() !== key) continue;  // the variables changed meanwhile
      if (result.error || !result.body) return this.loadFailed(result);
      this.failures = 0;
      await this.applyDocument(result.body);
      this.loadedKey = this.key(values);
      // Its variables are known now: the URL may set some of them.
      if (this.key() === this.loadedKey) break;
    }
    this.switching = false;
    this.goLive();
  }

  loadFailed(result) {
    this.switching = false;
    const failed = result.body && result.body.error_id ? buildError(result.body) : result.error;
    this.fail((result.status === 400 && this.refusal()) || failed || t("error.empty"));
    if (this.connection) this.connection.release(this);
    // 400: these variables are not allowed; ask again only when they change.
    if (result.status === 400 || this.paused) return;
    this.failures += 1;
    this.timer = setTimeout(() => this.load(), retryDelay(result, this.failures, 1000));
  }

  /** Why one of the values of its variables is not allowed, in the page's
   *  language ("" when the page cannot tell: the server's message stays). */
  refusal() {
    const uses = this.uses || Array.from(vars.known);
    for (const name of uses) {
      const value = vars.values.get(name);
      const problem = value === undefined ? "" : refusal(name, value);
      if (problem) return problem;
    }
    return "";
  }

  /** The variables it uses changed: fetch the document of the new values. */
  reload() {
    if (this.destroyed || !this.url) return Promise.resolve();
    clearTimeout(this.timer);
    this.failures = 0;
    this.switching = true;
    if (this.base && this.name) {
      this.connection = connectionFor(this.base, this.transport);
      this.connection.expect(this);
    }
    this.updateState();
    return this.load();
  }

  fail(message) {
    this.loadError = message;
    this.updateState();
  }

  /** Join the page connection, or poll the document when there is no API. */
  goLive() {
    if (this.destroyed) return;
    if (!this.doc || !this.url || this.doc.kind === "static") {
      if (this.connection) this.connection.release(this);
      this.connection = null;
      return this.updateState();
    }
    this.name = this.doc.name || this.name;
    if (this.base && this.name) {
      this.connection = connectionFor(this.base, this.transport);
      this.connection.add(this);
    } else if (this.doc.kind === "stream" || this.doc.refresh) {
      this.scheduleDocumentPoll(0);
    }
    this.updateState();
  }

  async applyDocument(doc) {
    if (isObject(doc) && isObject(doc.composite)) {
      this.doc = Object.assign({}, doc, { composite: undefined });
      this.since = doc.etag || "";
      return this.showComposite(doc.composite, doc.scripts);
    }
    if (!isObject(doc) || !isObject(doc.option)) {
      return this.fail(t("error.no_option"));
    }
    this.doc = Object.assign({}, doc, { option: undefined });
    this.since = doc.kind === "stream" ? doc.cursor || "" : doc.etag || "";
    this.takeVariables(doc);
    await this.applyOption(doc.option, doc.functions, doc.scripts, doc.theme, doc.js_functions);
  }

  async applyOption(option, functions, scripts, theme, jsFunctions) {
    try {
      await loadScripts(scripts, this.url || document.baseURI);
    } catch (error) {
      return this.fail(errorMessage(error));
    }
    if (this.destroyed) return;
    this.dropComposite();
    const failed = runJsFunctions(jsFunctions);
    const failure = reviveFunctions(option, functions) || failed;
    if (failure) warnOnce(failure);
    if (this.doc && isObject(this.doc.texture)) this.attachTexture(option);
    if (theme !== undefined && this.doc) this.doc.theme = theme;
    this.option = option;
    this.option.series = asArray(option.series);
    if (this.isStream()) this.takePointsFrom(option);
    this.fitted = null;
    this.loadError = null;
    this.chartError = null;
    this.schedule("option");
  }

  isStream() {
    return !!this.doc && this.doc.kind === "stream";
  }

  /** What the document says of variables: those it uses, what a click sets. */
  takeVariables(doc) {
    this.uses = isObject(doc.variables) ? Object.keys(doc.variables) : [];
    this.clicks = isObject(doc.on_click) && Object.keys(doc.on_click).length ? doc.on_click : null;
    learn(this.uses);
    if (this.clicks) learn(Object.keys(this.clicks));
    if (this.uses.length || this.clicks) fetchDeclarations(this.base);
    if (this.clicks) this.el.setAttribute("data-fpe-clickable", "");
    else this.el.removeAttribute("data-fpe-clickable");
  }

  /**
   * A click sets the variables of `on_click`; the same again: their defaults.
   * Variables that read the same field of the click (a region, then its
   * city, from a map that drills down) take it in turn: the first that
   * allows the value gets it.
   */
  clicked(params) {
    if (!this.clicks || !isObject(params)) return;
    const changes = {};
    let problem = "";
    const byField = new Map();
    Object.keys(this.clicks).forEach((name) => {
      const field = this.clicks[name];
      byField.set(field, (byField.get(field) || []).concat([name]));
    });
    byField.forEach((names, field) => {
      const raw = params[field];
      if (raw === null || raw === undefined || raw === "" || typeof raw === "object") return;
      const target = clickTarget(names, String(raw), effective, refusal);
      if (target.problem) problem = problem || target.problem;
      else changes[target.name] = target.value;
    });
    if (problem) return this.showNotice(problem);
    if (!Object.keys(changes).length) return;
    try {
      setVariables(changes);
    } catch (error) {
      this.showNotice(errorMessage(error).replace(/^Flask-PyEcharts: /, ""));
    }
  }

  showNotice(message) {
    this.notice = message;
    clearTimeout(this.noticeTimer);
    this.noticeTimer = setTimeout(() => { this.notice = ""; this.updateState(); }, NOTICE_MS);
    this.updateState();
    emit(this.el, "notice", { chart: this.name, message: message });
  }

  /** A Page, Tab or component: drawn as parts, no ECharts instance here. */
  async showComposite(composite, scripts) {
    try {
      await loadScripts(scripts, this.url || document.baseURI);
    } catch (error) {
      return this.fail(errorMessage(error));
    }
    if (this.destroyed) return;
    if (this.instance) this.instance.dispose();
    this.instance = null;
    this.dropCard();
    this.dropTable();
    this.option = null;
    this.composite = composite;
    if (!this.parts) this.parts = new Composite(this);
    this.el.classList.add(CLASSES.compositeHost);
    this.el.style.height = "auto";  // as tall as its parts
    this.parts.show(composite);
    this.rendered = true;
    this.loadError = null;
    this.chartError = null;
    this.updateState();
    emit(this.el, "update", { chart: this.name, type: "option", points: 0 });
  }

  /** A MapGlobe part: its globe gets the map, drawn on a canvas, as texture. */
  attachTexture(option) {
    if (this.texture) this.texture.dispose();
    this.texture = globeTexture(this.doc.texture, this.wantedTheme());
    option.globe = Object.assign({}, option.globe, { baseTexture: this.texture });
  }

  dropComposite() {
    if (!this.parts) return;
    this.parts.clear();
    this.parts = null;
    this.composite = null;
    this.el.classList.remove(CLASSES.compositeHost);
    if (this.destroyed) return;
    this.el.style.height = "";
    ensureContainer(this.el);  // one chart again: it needs a height
  }


  pause() {
    if (this.paused) return;
    this.paused = true;
    clearTimeout(this.timer);
    clearTimeout(this.probeTimer);
    this.probing = false;
    if (this.connection) this.connection.changed();
    this.updateState();
  }

  resume() {
    if (!this.paused) return;
    this.paused = false;
    if (this.connection) this.connection.changed();
    else if (this.doc && this.url && !this.base) this.scheduleDocumentPoll(0);
    else if (!this.doc && this.url) this.load();
    if (this.chartError) this.scheduleProbe(0);
    this.updateState();
  }

  destroy() {
    this.destroyed = true;
    clearTimeout(this.timer);
    clearTimeout(this.probeTimer);
    clearTimeout(this.noticeTimer);
    if (this.frame) cancelAnimationFrame(this.frame);
    if (this.resizing) cancelAnimationFrame(this.resizing);
    if (this.connection) this.connection.remove(this);
    if (this.resizeObserver) this.resizeObserver.disconnect();
    if (this.onWindowResize) window.removeEventListener("resize", this.onWindowResize);
    if (this.instance) this.instance.dispose();
    if (this.texture) this.texture.dispose();
    this.dropCard();
    this.dropTable();
    this.dropComposite();
    if (this.badge) this.badge.remove();
    this.el.removeAttribute("data-fpe-state");
    this.instance = null;
  }
}
