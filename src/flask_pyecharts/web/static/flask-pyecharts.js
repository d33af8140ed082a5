/*!
 * Flask-PyEcharts client runtime: mounts live ECharts charts described by the
 * Flask-PyEcharts JSON API (docs/protocol.md). No dependencies besides echarts.
 */
(function (window, document) {
  "use strict";

  const SELECTOR = "[data-chart], .fpe-chart";
  const MAX_BACKOFF = 30000;
  const DEFAULT_INTERVAL = 2000;
  const MIN_INTERVAL = 500;
  const SSE_FAILURES_BEFORE_POLLING = 3;
  const STREAM_RETRY_MS = 5000;     // after falling back to polling: 5 s, 10 s...
  const MAX_STREAM_RETRY_MS = 300000;
  const ALIGN_MS = 20;              // poll this long after a rebuild falls due
  const ALIGN_JITTER_MS = 40;       // spread pollers a little
  const HEALTHY_STREAM_MS = 30000;
  const PENDING_WAIT_MS = 2000;
  const JS_MARK = "--x_x--0_0--";
  const MIN_LABEL = 64;             // px: the narrowest useful category label
  const MIN_SHOWN_LABELS = 3;       // x-axis labels that keep their whole text at least
  // A page spends at most this share of its time animating updates: on a
  // page that gets an update every 4 s, each animates 200 ms, not ECharts'
  // 500 (and, below MIN_ANIMATION_MS, not at all: every 2 s or more often).
  // Every animation frame makes the browser upload every canvas of the page
  // again, the main cost of a live page (a wall screen runs for days); the
  // data is shown as soon as it arrives either way.
  const ANIMATION_SHARE = 0.05;
  // An update animation shorter than this is not seen as motion (six
  // frames), only paid for: below it, updates are drawn at once.
  const MIN_ANIMATION_MS = 100;
  const FRAME_MS = 16;
  const STILL_FRAMES = 1;
  const ECHARTS_UPDATE_MS = 500;    // ECharts' default animationDurationUpdate
  const NOTICE_MS = 5000;           // how long a refused click's message shows
  const MAX_VALUE_LENGTH = 200;     // the longest text value the server accepts
  const MAX_HOLD_MS = 3000;         // the longest a press holds a chart's updates

  const charts = new Map();       // element -> Chart
  const connections = new Map();  // API base URL -> Connection
  const scriptLoads = new Map();  // absolute URL -> Promise
  const page = { interval: null, theme: null, pausedAll: false, lastUpdate: 0, updateGap: 0 };
  // The chart under a pressed pointer: it draws no update until the release.
  const press = { chart: null, held: false, timer: 0 };
  // The page's variables: one state for the URL, the filters, clicks and the API.
  const vars = {
    declared: new Map(),  // name -> {name, type, label, choices, default, min, max}
    known: new Set(),     // names known to be variables (declared, or used by a chart)
    values: new Map(),    // name -> value chosen (URL, filter, click); absent: the default
    complete: false,      // whether `declared` lists every variable of the page
    fetched: new Map(),   // API base -> Promise of its /charts declarations
  };

  // ---------------------------------------------------------------- helpers

  function absolute(url, base) {
    return new URL(url, base || document.baseURI).href;
  }

  /** `/charts/api/charts/sales` -> {base: ".../charts/api/", name: "sales"}. */
  function splitChartUrl(url) {
    const match = /^(.*\/)charts\/([^/?#]+)\/?(?:[?#].*)?$/.exec(url);
    return match ? { base: match[1], name: decodeURIComponent(match[2]) } : null;
  }

  function attr(el, name) {
    const own = el.getAttribute(name);
    if (own) return own;
    return document.body ? document.body.getAttribute(name) : null;
  }

  /** The share of its time the page may animate: `data-animation-share` on
   *  the body (0 to 1; 1 keeps every chart's own durations), else the default. */
  function animationShare() {
    const own = document.body ? parseFloat(document.body.getAttribute("data-animation-share")) : NaN;
    return own >= 0 && own <= 1 ? own : ANIMATION_SHARE;
  }

  function backoff(failures, base) {
    const delay = Math.min(base * Math.pow(2, failures), MAX_BACKOFF);
    return delay * (0.9 + Math.random() * 0.2);
  }

  /** The back-off after a failed request, at least its `Retry-After` (429, 503). */
  function retryDelay(result, failures, base) {
    return Math.max(backoff(failures, base), 1000 * (result.retryAfter || 0));
  }

  function errorMessage(error) {
    if (error && error.message) return error.message;
    return String(error || "Unknown error");
  }

  function emit(el, type, detail) {
    el.dispatchEvent(new CustomEvent("fpe:" + type, { bubbles: true, detail: detail }));
  }

  function isObject(value) {
    return value !== null && typeof value === "object" && !Array.isArray(value);
  }

  function asArray(value) {
    if (Array.isArray(value)) return value;
    return value == null ? [] : [value];
  }

  /**
   * Merge `patch` into `target` as ECharts' setOption does: objects key by
   * key, the component lists at the top of an option item by item, any other
   * list or value replaced whole. Returns `target`.
   */
  function mergeOption(target, patch) {
    Object.keys(patch).forEach(function (key) {
      const value = patch[key];
      const old = target[key];
      if (Array.isArray(value) && Array.isArray(old) && value.some(isObject)) {
        value.forEach(function (item, index) {
          if (isObject(item) && isObject(old[index])) mergeObject(old[index], item);
          else old[index] = item;
        });
      } else if (isObject(value) && isObject(old)) {
        mergeObject(old, value);
      } else {
        target[key] = value;
      }
    });
    return target;
  }

  /** A copy of `option` with `patch` merged, copying only what it touches. */
  function withPatch(option, patch) {
    const copy = Object.assign({}, option);
    Object.keys(patch).forEach((key) => {
      const value = patch[key];
      copy[key] = Array.isArray(value)
        ? asArray(option[key]).map((item, index) => (isObject(item) ? Object.assign({}, item, value[index]) : item))
        : value;
    });
    return copy;
  }

  function mergeObject(target, patch) {
    Object.keys(patch).forEach(function (key) {
      const value = patch[key];
      if (isObject(value) && isObject(target[key])) mergeObject(target[key], value);
      else target[key] = value;
    });
  }

  /** GET JSON; never throws for HTTP errors, only for network ones. */
  async function getJSON(url, etag, timeoutMs) {
    const headers = { Accept: "application/json" };
    if (etag) headers["If-None-Match"] = etag;
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), timeoutMs || 20000);
    try {
      // no-store: the browser cache must not answer our conditional request.
      const response = await fetch(url, {
        headers: headers, cache: "no-store", credentials: "same-origin",
        signal: abort.signal,
      });
      if (response.status === 304) return { status: 304, body: null };
      let body = null;
      try { body = await response.json(); } catch (e) { body = null; }
      if (!response.ok) {
        const message = body && body.error ? body.error : "HTTP " + response.status;
        const retryAfter = parseInt(response.headers.get("Retry-After"), 10);
        return { status: response.status, body: body, error: message, retryAfter: retryAfter > 0 ? retryAfter : 0 };
      }
      return { status: response.status, body: body, etag: response.headers.get("ETag") };
    } catch (error) {
      if (error && error.name === "AbortError") throw new Error("Request timed out");
      throw new Error("Network error: the server cannot be reached");
    } finally {
      clearTimeout(timer);
    }
  }

  // ----------------------------------------------------- functions, scripts

  const warned = new Set();

  function warnOnce(message) {
    if (warned.has(message)) return;
    warned.add(message);
    console.warn("Flask-PyEcharts: " + message);
  }

  /** Turn the strings at the declared JsCode paths, and nothing else, into functions. */
  function reviveFunctions(option, paths) {
    let failure = null;
    asArray(paths).forEach(function (path) {
      if (!Array.isArray(path) || !path.length) return;
      let holder = option;
      for (let i = 0; i < path.length - 1; i++) {
        if (holder === null || typeof holder !== "object") return;
        holder = holder[path[i]];
      }
      const key = path[path.length - 1];
      if (holder === null || typeof holder !== "object") return;
      if (typeof holder[key] !== "string") return;
      const source = holder[key].split(JS_MARK).join("");
      try {
        holder[key] = new Function("return (" + source + ")")();
      } catch (error) {
        failure = error instanceof EvalError
          ? "JsCode needs 'unsafe-eval' in the Content-Security-Policy"
          : "Invalid JsCode at " + path.join(".") + ": " + errorMessage(error);
      }
    });
    return failure;
  }

  function loadScript(url) {
    if (scriptLoads.has(url)) return scriptLoads.get(url);
    const present = Array.prototype.some.call(document.scripts, (s) => s.src === url);
    const promise = present ? Promise.resolve() : new Promise(function (resolve, reject) {
      const script = document.createElement("script");
      script.src = url;
      script.async = false;
      script.onload = () => resolve();
      script.onerror = () => reject(new Error("Cannot load script " + url));
      document.head.appendChild(script);
    });
    scriptLoads.set(url, promise);
    promise.catch(() => scriptLoads.delete(url));
    return promise;
  }

  function loadScripts(urls, base) {
    return asArray(urls).reduce(
      (chain, url) => chain.then(() => loadScript(absolute(url, base))),
      Promise.resolve()
    );
  }

  // ------------------------------------------------------ label fitting

  function isCategoryAxis(axis) {
    return isObject(axis) && (axis.type === "category" || (!axis.type && Array.isArray(axis.data)));
  }

  function toPixels(value, total, fallback) {
    if (typeof value === "number") return value;
    if (typeof value === "string" && /%$/.test(value)) return (parseFloat(value) / 100) * total;
    if (typeof value === "string" && value && !isNaN(parseFloat(value))) return parseFloat(value);
    return fallback;
  }

  function categoryCount(option, axis, index, dim) {
    if (Array.isArray(axis.data)) return axis.data.length;
    let count = 0;
    asArray(option.series).forEach(function (series) {
      if (isObject(series) && (series[dim + "AxisIndex"] || 0) === index && Array.isArray(series.data)) {
        count = Math.max(count, series.data.length);
      }
    });
    return count;
  }

  let measure = null;

  /** The natural width of an axis' widest category label (a sample of them). */
  function widestLabel(axis) {
    const names = Array.isArray(axis.data) ? axis.data : [];
    if (!names.length) return MIN_LABEL;
    if (!measure) measure = document.createElement("canvas").getContext("2d");
    if (!measure) return MIN_LABEL;
    const label = axis.axisLabel || {};
    measure.font = (label.fontSize || 12) + "px " + (label.fontFamily || "sans-serif");
    const step = Math.ceil(names.length / 200);
    let widest = 0;
    for (let i = 0; i < names.length; i += step) {
      const name = isObject(names[i]) ? names[i].value : names[i];
      widest = Math.max(widest, measure.measureText(String(name)).width);
    }
    return widest;
  }

  /**
   * The width a category label may take, in pixels, and for an x axis the
   * label interval: labels are at most a category slot wide (or a few slots,
   * showing one label in that many), so none overlaps and none is hidden at
   * random. An x-axis label keeps its whole text (a date, "2026-10-05") while
   * MIN_SHOWN_LABELS of them still fit side by side; only longer ones are cut.
   */
  function labelLayout(option, axis, index, dim, size) {
    const label = axis.axisLabel || {};
    if (dim === "y") return { width: Math.max(MIN_LABEL, Math.round(size.width * 0.28)) };
    if (label.rotate) {
      return { width: Math.max(MIN_LABEL, Math.round(Math.min(size.height * 0.35, size.width * 0.3))) };
    }
    const grid = asArray(option.grid)[axis.gridIndex || 0] || {};
    const left = toPixels(grid.left, size.width, size.width * 0.15);
    const right = toPixels(grid.right, size.width, size.width * 0.1);
    const count = Math.max(1, categoryCount(option, axis, index, dim));
    const plot = Math.max(1, size.width - left - right);
    const slot = plot / count;
    const room = Math.max(MIN_LABEL, plot / MIN_SHOWN_LABELS);
    const slots = Math.ceil(Math.min(room, widestLabel(axis) + 8) / slot);
    return { width: Math.round(slots * slot - 6), interval: slots - 1 };
  }

  /**
   * Truncate long category labels to a width that fits, and keep the full text
   * in a tooltip. Returns the axes it manages, so a resize can recompute them.
   */
  const LABEL_TIP_CSS = "white-space: normal; overflow-wrap: anywhere; max-width: 80vw;";

  function fitLabels(option, size, managed) {
    const fitted = { x: [], y: [] };
    ["x", "y"].forEach(function (dim) {
      const key = dim + "Axis";
      if (option[key] === undefined) return;
      option[key] = asArray(option[key]);
      option[key].forEach(function (axis, index) {
        if (!isCategoryAxis(axis)) return;
        const label = axis.axisLabel = isObject(axis.axisLabel) ? axis.axisLabel : {};
        const known = managed && managed[dim].find((item) => item.index === index);
        if (managed ? !known : label.width != null) return;
        const ownsInterval = known ? known.interval : label.interval == null || label.interval === "auto";
        const layout = labelLayout(option, axis, index, dim, size);
        label.width = layout.width;
        if (ownsInterval && layout.interval !== undefined) label.interval = layout.interval;
        if (!label.overflow) label.overflow = "truncate";
        if (!label.ellipsis) label.ellipsis = "…";
        axis.triggerEvent = true;
        // The full label on hover, kept on screen and wrapped, even on a phone.
        axis.tooltip = Object.assign(
          { show: true, confine: true, extraCssText: LABEL_TIP_CSS },
          isObject(axis.tooltip) ? axis.tooltip : {}
        );
        fitted[dim].push({ index: index, interval: ownsInterval });
      });
    });
    if (!managed && (fitted.x.length || fitted.y.length)) keepRoomForLabels(option);
    if (!managed) {
      fitValueAxes(option, size);
      fitPies(option, size);
      fitTimeline(option);
      fitTimelineFrames(option, size);
    }
    return fitted;
  }

  /**
   * A Timeline's frames (`options`) carry their own axes and series: each is
   * fitted like a chart of its own, with what it takes from `baseOption`, on
   * the first draw (a resize does not fit them again).
   */
  function fitTimelineFrames(option, size) {
    const base = option.baseOption;
    if (!isObject(base)) return;
    asArray(option.options).forEach(function (frame) {
      if (!isObject(frame)) return;
      const view = Object.assign({}, base, frame);
      fitLabels(view, size, null);
      ["xAxis", "yAxis", "grid", "tooltip"].forEach(function (key) {
        if (view[key] === undefined) return;
        if (key in frame) frame[key] = view[key];
        else base[key] = view[key];
      });
    });
  }

  const TIMELINE_ROOM = 56;         // px: a horizontal timeline at the bottom
  const LEGEND_ROOM = 48;           // px: a legend and the axis labels above it

  /**
   * ECharts 6 puts legends at the bottom, where pyecharts puts a timeline:
   * legends that do not say where they go move above the timeline, and a
   * grid that does not say where it ends, above them.
   */
  function fitTimeline(option) {
    const base = option.baseOption;
    const timeline = isObject(base) && asArray(base.timeline)[0];
    if (!isObject(timeline) || timeline.orient === "vertical" || timeline.top !== undefined) return;
    const parts = [base].concat(asArray(option.options)).filter(isObject);
    let moved = false;
    parts.forEach(function (part) {
      if (part.legend === undefined) return;
      part.legend = asArray(part.legend).map(function (legend) {
        if (!isObject(legend) || legend.top !== undefined || legend.bottom !== undefined) return legend;
        moved = true;
        return Object.assign({}, legend, { bottom: TIMELINE_ROOM });
      });
    });
    if (moved && parts.every((part) => part.grid === undefined)) {
      base.grid = { bottom: TIMELINE_ROOM + LEGEND_ROOM };
    }
  }

  /**
   * ECharts 6 replaced `grid.containLabel` by `grid.outerBounds*`: the grid
   * shrinks until its labels fit in the outer bounds (here: the canvas).
   */
  function keepRoomForLabels(option) {
    option.grid = asArray(option.grid);
    if (!option.grid.length) option.grid.push({});
    option.grid.forEach(function (grid) {
      if (!isObject(grid) || grid.outerBoundsMode) return;
      if (grid.containLabel) {
        grid.containLabel = false;
        grid.outerBoundsMode = "same";
        grid.outerBoundsContain = "axisLabel";
      } else {
        grid.outerBoundsMode = "auto";
        if (!grid.outerBounds) grid.outerBounds = { left: 4, right: 4, top: 4, bottom: 4 };
      }
    });
    // Axis label tooltips are shown by the tooltip component.
    if (option.tooltip === undefined) option.tooltip = { trigger: "none" };
  }

  // ------------------------------------------ small screens, dark pages

  const VALUE_LABEL = 64;           // px: the room one value-axis label needs
  const NARROW_PIE = 520;           // px: narrower charts get smaller pies

  function isValueAxis(axis, dim) {
    if (!isObject(axis)) return false;
    if (axis.type) return axis.type === "value" || axis.type === "log" || axis.type === "time";
    return dim === "y" && !Array.isArray(axis.data);  // ECharts' default y axis
  }

  /**
   * Value and time axes hide labels that would overlap ("100万200万"), and a
   * narrow horizontal value axis asks for fewer ticks (pyecharts always asks
   * for 5, whatever the width).
   */
  function fitValueAxes(option, size) {
    ["x", "y"].forEach(function (dim) {
      asArray(option[dim + "Axis"]).forEach(function (axis) {
        if (!isValueAxis(axis, dim)) return;
        const label = axis.axisLabel = isObject(axis.axisLabel) ? axis.axisLabel : {};
        if (label.hideOverlap === undefined) label.hideOverlap = true;
        if (dim !== "x" || axis.type === "time") return;
        const grid = asArray(option.grid)[axis.gridIndex || 0] || {};
        const width = size.width - toPixels(grid.left, size.width, size.width * 0.1) -
          toPixels(grid.right, size.width, size.width * 0.1);
        const most = Math.max(2, Math.floor(width / VALUE_LABEL));
        if (!(axis.splitNumber <= most)) axis.splitNumber = most;
      });
    });
  }

  function scaleRadius(radius, factor) {
    if (Array.isArray(radius)) return radius.map((item) => scaleRadius(item, factor));
    if (typeof radius === "number") return Math.round(radius * factor);
    if (typeof radius === "string" && /^\d+(\.\d+)?%$/.test(radius)) {
      return Math.round(parseFloat(radius) * factor) + "%";
    }
    return radius;
  }

  /**
   * On a narrow chart, pies with outside labels shrink a little and their
   * labels wrap, instead of collapsing to "…" for lack of room beside the pie.
   */
  function fitPies(option, size) {
    if (size.width >= NARROW_PIE) return;
    const factor = Math.max(0.7, size.width / NARROW_PIE);
    asArray(option.series).forEach(function (series) {
      if (!isObject(series) || series.type !== "pie") return;
      const label = series.label = isObject(series.label) ? series.label : {};
      if (label.show === false || /^(inside|inner|center)$/.test(label.position || "")) return;
      if (!label.overflow) label.overflow = "break";
      series.radius = scaleRadius(series.radius === undefined ? [0, "75%"] : series.radius, factor);
    });
  }

  const DARK_TEXT = "#e6e8eb";
  /** Where a "color" is a text colour. */
  const TEXT_HOLDERS = new Set([
    "label", "textStyle", "subtextStyle", "detail", "title", "axisLabel", "nameTextStyle",
    "edgeLabel", "upperLabel", "pageTextStyle", "rich",
  ]);
  /** Keys never walked: data, however large, holds no theme colours. */
  const NOT_STYLE = new Set(["data", "links", "edges", "nodes", "categories"]);

  /** A black or dark grey CSS colour (pyecharts' "#333", "#464646", "black"...). */
  function isDarkGrey(value) {
    if (typeof value !== "string") return false;
    let rgb = null;
    const text = value.trim().toLowerCase();
    if (text === "black") return true;
    let match = /^#([0-9a-f]{3}|[0-9a-f]{6})$/.exec(text);
    if (match) {
      const hex = match[1].length === 3 ? match[1].replace(/./g, "$&$&") : match[1];
      rgb = [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16));
    } else if ((match = /^rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(text))) {
      rgb = [match[1], match[2], match[3]].map(Number);
    }
    if (!rgb) return false;
    return Math.max.apply(null, rgb) < 120 && Math.max.apply(null, rgb) - Math.min.apply(null, rgb) < 24;
  }

  /** `value` with the dark text colours under text holders made light (copied on write). */
  function lightenText(value, inText, depth) {
    if (depth > 12) return value;
    let copy = null;
    const set = (key, next) => {
      if (!copy) copy = Array.isArray(value) ? value.slice() : Object.assign({}, value);
      copy[key] = next;
    };
    Object.keys(value).forEach(function (key) {
      if (NOT_STYLE.has(key)) return;
      const item = value[key];
      if (key === "color" && inText && isDarkGrey(item)) return set(key, DARK_TEXT);
      if (item !== null && typeof item === "object") {
        const next = lightenText(item, inText || TEXT_HOLDERS.has(key), depth + 1);
        if (next !== item) set(key, next);
      }
    });
    return copy || value;
  }

  /**
   * The option as shown on a dark page: a transparent background (the page's
   * shows through) and text colours that pyecharts sets dark made light. The
   * stored option stays as built.
   */
  function darkOption(option) {
    const shown = Object.assign({}, lightenText(option, false, 0));
    // A timeline's option lives in baseOption (ECharts ignores the root's).
    const base = isObject(shown.baseOption) ? "baseOption" : null;
    const holder = base ? shown.baseOption : shown;
    if (holder.backgroundColor !== undefined) return shown;
    const transparent = Object.assign({}, holder, { backgroundColor: "transparent" });
    return base ? Object.assign(shown, { baseOption: transparent }) : transparent;
  }

  // --------------------------------------------------------------- streams

  /**
   * The chart's points in arrival order, rebuilt from per-series data. The
   * interleaving of series is unknown, so the series are aligned at their end.
   */
  function pointsFromSeries(series) {
    const ranked = [];
    series.forEach(function (item, index) {
      const data = isObject(item) && Array.isArray(item.data) ? item.data : [];
      data.forEach((value, j) => ranked.push([data.length - j, index, value]));
    });
    ranked.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
    return ranked.map((entry) => [entry[1], entry[2]]);
  }

  function categoryOf(value, position) {
    const pair = Array.isArray(value) ? value : isObject(value) && Array.isArray(value.value) ? value.value : null;
    return pair && typeof pair[position] === "string" ? pair[position] : null;
  }

  /**
   * A category axis with `data` drops unknown categories, and one without
   * keeps every category it ever saw; an untyped axis without `data` is a
   * value axis. So streamed [category, value] points set the categories to
   * exactly those of the window.
   */
  function syncCategories(option, points) {
    const patch = {};
    ["x", "y"].forEach(function (dim) {
      const axes = asArray(option[dim + "Axis"]);
      axes.forEach(function (axis, axisIndex) {
        if (!isObject(axis) || (axis.type && axis.type !== "category")) return;
        if (!axis.type && dim === "y" && !Array.isArray(axis.data)) return;
        const names = new Set();
        points.forEach(function (point) {
          const series = option.series[point[0]] || {};
          if ((series[dim + "AxisIndex"] || 0) !== axisIndex) return;
          const name = categoryOf(point[1], dim === "x" ? 0 : 1);
          if (name !== null) names.add(name);
        });
        if (!names.size) return;
        axis.type = "category";
        axis.data = Array.from(names);
        const list = patch[dim + "Axis"] = patch[dim + "Axis"] || axes.map(() => ({}));
        list[axisIndex] = { type: "category", data: axis.data };
      });
    });
    return patch;
  }

  // ------------------------------------------------------------ variables

  function urlParams() {
    return new URLSearchParams(window.location.search);
  }

  /** Names become variables: take their values from the page's URL. */
  function learn(names) {
    const params = urlParams();
    asArray(names).forEach(function (name) {
      if (typeof name !== "string" || vars.known.has(name)) return;
      vars.known.add(name);
      if (!vars.values.has(name) && params.has(name)) vars.values.set(name, params.get(name));
    });
  }

  /** Declarations from the page or the API: [{name, type, choices, default...}]. */
  function declare(list, complete) {
    asArray(list).forEach(function (item) {
      if (isObject(item) && typeof item.name === "string") vars.declared.set(item.name, item);
    });
    learn(asArray(list).map((item) => isObject(item) ? item.name : null));
    if (complete) vars.complete = true;
  }

  function readDeclarations(root) {
    root.querySelectorAll("script.fpe-variables").forEach(function (script) {
      try { declare(JSON.parse(script.textContent), true); } catch (e) { warnOnce("invalid variable declarations"); }
    });
  }

  /** The API's declarations, asked once per API base when the page has none. */
  function fetchDeclarations(base) {
    if (vars.complete || !base) return Promise.resolve();
    if (!vars.fetched.has(base)) {
      vars.fetched.set(base, getJSON(base + "charts").then(function (result) {
        if (!result.error && isObject(result.body)) declare(result.body.variables, true);
      }).catch(() => { vars.fetched.delete(base); }));
    }
    return vars.fetched.get(base);
  }

  /** The value a variable has now: the one chosen, else its default. */
  function effective(name) {
    if (vars.values.has(name)) return vars.values.get(name);
    const declared = vars.declared.get(name);
    return declared ? declared.default : null;
  }

  /** `a=1&b=2`: the chosen values of `names`, sorted (one spelling per variant). */
  function keyOf(values, names) {
    return Array.from(new Set(names)).filter((name) => values.has(name)).sort()
      .map((name) => encodeURIComponent(name) + "=" + encodeURIComponent(values.get(name)))
      .join("&");
  }

  const VALUE_PATTERNS = {
    int: /^-?[0-9]{1,18}$/,
    float: /^-?[0-9]{1,20}(\.[0-9]{1,17})?$/,
    date: /^[0-9]{4}-[0-9]{2}-[0-9]{2}$/,
  };

  /** Why `value` is not allowed for `name` ("" when it is, or when unknown). */
  function refusal(name, value) {
    const declared = vars.declared.get(name);
    if (!declared) return vars.complete ? "Unknown variable " + JSON.stringify(name) : "";
    const label = declared.label || name;
    if (Array.isArray(declared.choices)) {
      return declared.choices.indexOf(value) >= 0 ? ""
        : JSON.stringify(value) + " is not an allowed " + label + " (" + declared.choices.slice(0, 10).join(", ") +
          (declared.choices.length > 10 ? ", …" : "") + ")";
    }
    const pattern = VALUE_PATTERNS[declared.type];
    if (pattern && !pattern.test(value)) return JSON.stringify(value) + " is not a valid " + label;
    if (!pattern && value.length > MAX_VALUE_LENGTH) return label + " is too long";
    const number = (text) => declared.type === "date" ? text : Number(text);
    if (declared.min != null && number(value) < number(declared.min)) return label + " must be at least " + declared.min;
    if (declared.max != null && number(value) > number(declared.max)) return label + " must be at most " + declared.max;
    return "";
  }

  /** Put the chosen values in the page's URL (other parameters are kept). */
  function writeUrl(mode) {
    if (!mode || !window.history || !window.history.pushState) return;
    const url = new URL(window.location.href);
    vars.known.forEach(function (name) {
      if (vars.values.has(name)) url.searchParams.set(name, vars.values.get(name));
      else url.searchParams.delete(name);
    });
    if (url.href === window.location.href) return;
    if (mode === "replace") window.history.replaceState(window.history.state, "", url.href);
    else window.history.pushState({ fpeVariables: true }, "", url.href);
  }

  /**
   * Set variables: `{region: "华东", days: 7}`; `null` (or the default) sets one
   * back to its default. Checked against the declarations first: throws for a
   * value that is not allowed, and changes nothing then. Reloads the charts
   * that use a changed variable; resolves once they have their new option.
   * options.history: "push" (default), "replace" or false (leave the URL).
   */
  function setVariables(changes, options) {
    const history = options && "history" in options ? options.history : "push";
    const next = new Map(vars.values);
    Object.keys(changes || {}).forEach(function (name) {
      const raw = changes[name];
      const value = raw === null || raw === undefined || raw === "" ? null : String(raw);
      const unknown = vars.complete && !vars.declared.has(name);
      const problem = unknown ? "unknown variable " + JSON.stringify(name) : value === null ? "" : refusal(name, value);
      if (problem) throw new RangeError("Flask-PyEcharts: " + problem);
      const declared = vars.declared.get(name);
      if (value === null || (declared && value === declared.default)) next.delete(name);
      else next.set(name, value);
    });
    return applyVariables(next, history);
  }

  function applyVariables(next, history) {
    learn(Array.from(next.keys()));
    const changed = [];
    vars.known.forEach(function (name) {
      if (next.get(name) !== vars.values.get(name)) changed.push(name);
    });
    if (!changed.length) return Promise.resolve([]);
    vars.values = next;
    writeUrl(history);
    const reloads = [];
    charts.forEach(function (chart) {
      if (chart.usesAny(changed)) reloads.push(chart.reload());
    });
    emit(document.documentElement, "variables", { variables: variables(), changed: changed });
    return Promise.all(reloads).then(() => changed);
  }

  /** Every known variable with its current value. */
  function variables() {
    const result = {};
    vars.known.forEach(function (name) {
      const value = effective(name);
      if (value !== null && value !== undefined) result[name] = value;
    });
    return result;
  }

  /** Back and forward: the URL says which values the page shows. */
  function onPopState() {
    const params = urlParams();
    const next = new Map();
    vars.known.forEach(function (name) {
      if (params.has(name)) next.set(name, params.get(name));
    });
    applyVariables(next, false);
  }

  // ------------------------------------------------------------ the badge

  const STATE_TEXT = {
    loading: "Loading…",
    live: "Live",
    polling: "Live (polling)",
    paused: "Paused",
    stale: "Stale",
    error: "Error",
  };

  function createBadge(el) {
    const badge = document.createElement("div");
    badge.className = "fpe-state";
    badge.setAttribute("role", "status");
    badge.setAttribute("aria-live", "polite");
    el.appendChild(badge);
    // Works without flask-pyecharts.css: minimal styles through the CSSOM.
    if (getComputedStyle(badge).position !== "absolute") {
      Object.assign(badge.style, {
        position: "absolute", top: "6px", right: "6px", zIndex: "10",
        font: "12px/1.4 system-ui, sans-serif", padding: "1px 8px",
        borderRadius: "10px", background: "rgba(128,128,128,.15)", pointerEvents: "none",
      });
    }
    return badge;
  }

  function ensureContainer(el) {
    // Sizes as data attributes: a strict CSP (no 'unsafe-inline' styles)
    // blocks style="" attributes, not styles set through the CSSOM.
    const height = el.getAttribute("data-height");
    const width = el.getAttribute("data-width");
    if (height && CSS.supports("height", height)) el.style.height = height;
    if (width && CSS.supports("width", width)) el.style.width = width;
    if (getComputedStyle(el).position === "static") el.style.position = "relative";
    // ECharts cannot draw in a zero-height box (and warns about it).
    if (el.clientHeight === 0 && el.getClientRects().length) el.style.height = "400px";
  }

  // ------------------------------------------------------------ composites

  // A Page, Tab, Table or Image arrives as a `composite` (docs/protocol.md)
  // instead of an `option`. Its container's Chart draws it as DOM parts: each
  // chart part is a static child Chart of its own; tables and images are
  // built with textContent and checked attributes. Updates replace it whole.

  /** The server's rule (components.safe_image_src): own-site paths, http(s), data:image/*. */
  function safeImageSrc(src) {
    if (typeof src !== "string" || !src || /[\x00-\x20\x7f]/.test(src)) return null;
    const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(src);
    if (scheme) {
      const name = scheme[1].toLowerCase();
      if (name === "http" || name === "https") return src;
      if (name === "data" && /^data:image\/[a-zA-Z0-9.+-]+[;,]/i.test(src)) return src;
      return null;
    }
    return /^(\/\/|\\|\/\\)/.test(src) ? null : src;
  }

  /** The CSS of a Page's PageLayoutOpts a composite may set (as the server allows). */
  const PAGE_LAYOUT = ["display", "justify-content", "flex-wrap", "align-items", "margin", "gap"];

  function partSize(value, property) {
    return typeof value === "string" && CSS.supports(property, value) ? value : null;
  }

  function partElement(tag, className, text) {
    const el = document.createElement(tag);
    if (className) el.className = className;
    if (text !== undefined && text !== null) el.textContent = String(text);
    return el;
  }

  /** Title and subtitle of a table or an image (text only). */
  function partCaption(part, tag) {
    if (!part.title && !part.subtitle) return null;
    const caption = partElement(tag, "fpe-part-caption");
    if (part.title) caption.appendChild(partElement("span", "fpe-part-title", part.title));
    if (part.subtitle) caption.appendChild(partElement("span", "fpe-part-subtitle", part.subtitle));
    return caption;
  }

  function fillTable(box, part) {
    const table = partElement("table", "fpe-table");
    const caption = partCaption(part, "caption");
    if (caption) table.appendChild(caption);
    const headers = asArray(part.headers);
    if (headers.length) {
      const row = table.createTHead().insertRow();
      headers.forEach((text) => {
        const cell = partElement("th", null, text);
        cell.scope = "col";
        row.appendChild(cell);
      });
    }
    const body = table.createTBody();
    asArray(part.rows).forEach((cells) => {
      const row = body.insertRow();
      asArray(cells).forEach((text) => { row.insertCell().textContent = text == null ? "" : String(text); });
    });
    const scroll = partElement("div", "fpe-table-scroll");
    scroll.tabIndex = 0;  // wide tables scroll with the keyboard too
    scroll.setAttribute("role", "region");
    scroll.setAttribute("aria-label", part.title ? String(part.title) : "Table");
    scroll.appendChild(table);
    box.replaceChildren(scroll);
  }

  function fillImage(box, part) {
    const img = partElement("img", "fpe-image");
    img.alt = part.alt ? String(part.alt) : "";
    const src = safeImageSrc(part.src);
    if (src) img.src = src;
    else warnOnce("image refused: only own-site paths, http(s) and data:image URLs are shown");
    const width = partSize(part.width, "width");
    const height = partSize(part.height, "height");
    if (width) img.style.width = width;
    if (height) img.style.height = height;
    const caption = partCaption(part, "figcaption");
    box.replaceChildren(img);
    if (caption) box.appendChild(caption);
  }

  /** The document a chart part's child Chart shows. */
  function partDocument(part, host) {
    return {
      kind: "static", option: isObject(part.option) ? part.option : {},
      functions: part.functions, theme: part.theme, texture: part.texture,
      fit_labels: !host.doc || host.doc.fit_labels !== false,
    };
  }

  /**
   * A MapGlobe's texture, as pyecharts' simple_globe.html makes it: the map
   * chart drawn by an ECharts instance on a canvas of its own.
   */
  function globeTexture(texture, theme) {
    const option = isObject(texture.option) ? texture.option : {};
    const failure = reviveFunctions(option, texture.functions);
    if (failure) warnOnce(failure);
    const canvas = document.createElement("canvas");
    const chart = window.echarts.init(canvas, theme || undefined, { width: 2048, height: 1024 });
    chart.setOption(option);
    return chart;
  }

  let compositeCount = 0;

  /** The parts of one composite, drawn in its host Chart's element. */
  class Composite {
    constructor(host) {
      this.host = host;
      this.id = "fpe-composite-" + (++compositeCount);
      this.root = null;
      this.boxes = [];
      this.shape = "";
      this.selected = 0;
    }

    /** Show `composite`: the same kinds of parts are updated in place. */
    show(composite) {
      const parts = asArray(composite.parts).filter(isObject);
      const type = composite.type === "tab" ? "tab" : "page";
      const shape = JSON.stringify([type, composite.layout, parts.map((part) => [part.type, part.tab])]);
      if (shape !== this.shape) this.build(type, composite.layout, parts);
      this.shape = shape;
      parts.forEach((part, index) => this.fill(this.boxes[index], part));
    }

    build(type, layout, parts) {
      this.clear();
      const root = this.root = partElement("div", "fpe-composite fpe-composite--" + type);
      if (type === "page" && isObject(layout)) {
        PAGE_LAYOUT.forEach((key) => {
          const value = layout[key];
          if (typeof value === "string" && CSS.supports(key, value)) root.style.setProperty(key, value);
        });
      }
      this.boxes = parts.map((part) => {
        const box = partElement(part.type === "image" ? "figure" : "div", "fpe-part fpe-part--" + part.type);
        if (part.type === "chart") {
          box.style.width = partSize(part.width, "width") || "100%";
          const height = partSize(part.height, "height");
          box.style.height = height && !/%$/.test(height) ? height : "400px";
        }
        return box;
      });
      if (type === "tab") this.buildTabs(parts);
      else this.boxes.forEach((box) => root.appendChild(box));
      this.host.el.insertBefore(root, this.host.badge || null);
    }

    /** Accessible tabs: a tablist of buttons, one tabpanel per part. */
    buildTabs(parts) {
      const list = partElement("div", "fpe-tabs");
      list.setAttribute("role", "tablist");
      if (this.selected >= parts.length) this.selected = 0;
      this.tabs = parts.map((part, index) => {
        const tab = partElement("button", "fpe-tab", part.tab || String(index + 1));
        tab.type = "button";
        tab.id = this.id + "-tab-" + index;
        tab.setAttribute("role", "tab");
        tab.setAttribute("aria-controls", this.id + "-panel-" + index);
        tab.addEventListener("click", () => this.select(index));
        list.appendChild(tab);
        const panel = partElement("div", "fpe-tabpanel");
        panel.id = this.id + "-panel-" + index;
        panel.setAttribute("role", "tabpanel");
        panel.setAttribute("aria-labelledby", tab.id);
        panel.appendChild(this.boxes[index]);
        this.root.appendChild(panel);
        return { tab: tab, panel: panel };
      });
      list.addEventListener("keydown", (event) => this.onTabKey(event));
      this.root.insertBefore(list, this.root.firstChild);
      this.select(this.selected);
    }

    select(index, focus) {
      this.selected = index;
      this.tabs.forEach((item, i) => {
        const on = i === index;
        item.tab.setAttribute("aria-selected", String(on));
        item.tab.tabIndex = on ? 0 : -1;
        item.panel.hidden = !on;
      });
      if (focus) this.tabs[index].tab.focus();
    }

    onTabKey(event) {
      const count = this.tabs.length;
      const moves = { ArrowRight: this.selected + 1, ArrowLeft: this.selected - 1 + count, Home: 0, End: count - 1 };
      if (!(event.key in moves)) return;
      event.preventDefault();
      this.select(moves[event.key] % count, true);
    }

    fill(box, part) {
      if (part.type === "table") return fillTable(box, part);
      if (part.type === "image") return fillImage(box, part);
      if (part.type !== "chart") return;
      const doc = partDocument(part, this.host);
      const child = charts.get(box);
      if (child) child.applyDocument(doc);
      else mount(box, null, { document: doc });
    }

    clear() {
      this.boxes.forEach((box) => unmount(box));
      if (this.root) this.root.remove();
      this.root = null;
      this.boxes = [];
      this.shape = "";
    }
  }

  // ------------------------------------------------------------- the chart

  class Chart {
    constructor(el, url, options) {
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
          this.fail("The embedded chart JSON is invalid: " + errorMessage(error));
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
        this.fail("No chart: set data-chart or embed a script.fpe-initial element");
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
      this.fail(result.error || "The chart document is empty");
      if (this.connection) this.connection.release(this);
      // 400: these variables are not allowed; ask again only when they change.
      if (result.status === 400 || this.paused) return;
      this.failures += 1;
      this.timer = setTimeout(() => this.load(), retryDelay(result, this.failures, 1000));
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
        return this.fail("The chart document has no option");
      }
      this.doc = Object.assign({}, doc, { option: undefined });
      this.since = doc.kind === "stream" ? doc.cursor || "" : doc.etag || "";
      this.takeVariables(doc);
      await this.applyOption(doc.option, doc.functions, doc.scripts, doc.theme);
    }

    async applyOption(option, functions, scripts, theme) {
      try {
        await loadScripts(scripts, this.url || document.baseURI);
      } catch (error) {
        return this.fail(errorMessage(error));
      }
      if (this.destroyed) return;
      this.dropComposite();
      const failure = reviveFunctions(option, functions);
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

    /** A click sets the variables of `on_click`; the same again: their defaults. */
    clicked(params) {
      if (!this.clicks || !isObject(params)) return;
      const changes = {};
      let problem = "";
      Object.keys(this.clicks).forEach((name) => {
        const raw = params[this.clicks[name]];
        if (raw === null || raw === undefined || raw === "" || typeof raw === "object") return;
        const value = String(raw);
        if (value === effective(name)) {
          changes[name] = null;
        } else {
          problem = problem || refusal(name, value);
          changes[name] = value;
        }
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
      this.option = null;
      this.composite = composite;
      if (!this.parts) this.parts = new Composite(this);
      this.el.classList.add("fpe-composite-host");
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
      this.el.classList.remove("fpe-composite-host");
      if (this.destroyed) return;
      this.el.style.height = "";
      ensureContainer(this.el);  // one chart again: it needs a height
    }

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

    /** One setOption per animation frame, whatever the number of updates. */
    schedule(what) {
      if (this.composite) return;  // drawn by its parts
      this.dirty[what] = true;
      this.requestFrame();
    }

    requestFrame() {
      if (!this.frame) this.frame = requestAnimationFrame(() => this.flush());
    }

    flush() {
      this.frame = 0;
      if (this.destroyed || !this.option) return;
      // A click is a press and a release on the same drawn element; an update
      // drawn in between replaces the element and the click is lost.
      if (press.chart === this) { press.held = true; return; }
      // A hidden container has no size: draw when the ResizeObserver sees one.
      if (!this.instance && !(this.el.clientWidth && this.el.clientHeight)) return;
      const full = this.dirty.option;
      const patches = this.patches;
      this.dirty = { option: false, points: false };
      this.patches = [];
      this.noteUpdate();
      try {
        if (full || !this.instance) this.render();
        else if (patches.length) this.renderPatches(patches);
        else this.renderPoints();
      } catch (error) {
        this.loadError = "ECharts could not draw this option: " + errorMessage(error);
        console.warn("Flask-PyEcharts:", error);
      }
      this.updateState();
      emit(this.el, "update", {
        chart: this.name, type: full ? "option" : "points", points: this.points.length,
      });
    }

    wantedTheme() {
      return page.theme || (this.doc && this.doc.theme) || null;
    }

    /** Keep a running mean of the time between the page's updates (the
     *  updates of one frame count once). */
    noteUpdate() {
      if (!this.rendered) return;
      const now = performance.now();
      const gap = now - page.lastUpdate;
      if (gap < FRAME_MS) return;
      if (page.lastUpdate) page.updateGap = page.updateGap ? 0.8 * page.updateGap + 0.2 * gap : gap;
      page.lastUpdate = now;
    }

    /**
     * The update animations the page can afford (see ANIMATION_SHARE), as a
     * patch: the option's own `animationDurationUpdate`, and those of its
     * components (pyecharts gives every axis one), cut to the budget. Empty
     * while the budget stays the same.
     */
    animationBudget(option) {
      if (!page.updateGap || animationShare() >= 1) return {};
      let budget = Math.round(animationShare() * page.updateGap);
      if (budget < MIN_ANIMATION_MS) budget = 0;
      if (budget === this.appliedBudget) return {};
      this.appliedBudget = budget;
      const cut = (own) => (typeof own === "function" ? own : Math.min(own === undefined ? ECHARTS_UPDATE_MS : own, budget));
      const patch = { animationDurationUpdate: cut(option.animationDurationUpdate) };
      Object.keys(option).forEach((key) => {
        const items = asArray(option[key]);
        if (!items.some((item) => isObject(item) && typeof item.animationDurationUpdate === "number")) return;
        patch[key] = items.map((item) => (isObject(item) && typeof item.animationDurationUpdate === "number"
          ? { animationDurationUpdate: cut(item.animationDurationUpdate) } : {}));
      });
      return patch;
    }

    ensureInstance() {
      if (typeof window.echarts === "undefined") throw new Error("ECharts is not loaded");
      const theme = this.wantedTheme();
      if (this.instance && this.themeName === theme) return false;
      const previous = this.instance;
      if (previous) previous.dispose();
      this.instance = window.echarts.init(this.el, theme || undefined, { renderer: this.renderer() });
      this.instance.on("click", (params) => this.clicked(params));
      // zrender keeps requesting frames for 10 still frames after each change;
      // every frame costs the page (see ANIMATION_SHARE): stop after one.
      const zr = this.instance.getZr();
      if (zr && zr.setSleepAfterStill) zr.setSleepAfterStill(STILL_FRAMES);
      this.themeName = theme;
      this.badge && this.el.appendChild(this.badge); // keep the badge above the canvas
      return !!previous;
    }

    /**
     * ECharts' canvas renderer, its own default: with update animations cut
     * to the page's budget, a live page costs less on canvas than on SVG (the
     * bench's S6: 9 to 19 % less main-thread time on the demo).
     * `data-renderer="svg"` on the element (or the body) chooses SVG, for
     * charts that need neither echarts-gl nor an extension, and not under a
     * strict CSP (SVG text carries style="").
     */
    renderer() {
      return (this.options.renderer || attr(this.el, "data-renderer")) === "svg" ? "svg" : "canvas";
    }

    seriesData() {
      const data = new Map();
      this.touched.forEach((index) => data.set(index, []));
      this.points.forEach((point) => data.get(point[0]).push(point[1]));
      return data;
    }

    render() {
      const fresh = this.ensureInstance() || !this.rendered;
      const option = this.option;
      if (this.isStream()) {
        this.seriesData().forEach((values, index) => { option.series[index].data = values; });
        syncCategories(option, this.points);
      }
      if (this.fitsLabels()) this.fitted = fitLabels(option, this.size(), this.fitted);
      // HTML tooltips carry style="" attributes, which a strict CSP blocks.
      if (this.strictStyles && option.tooltip !== undefined) {
        option.tooltip = asArray(option.tooltip).map((tooltip) => Object.assign({}, tooltip, { renderMode: "richText" }));
      }
      // The page's dark background shows through; the stored option stays as built.
      let shown = this.themeName === "dark" ? darkOption(option) : option;
      // A whole new option replaces what is shown (its structure may differ).
      if (fresh) this.appliedBudget = undefined;
      else shown = withPatch(shown, this.animationBudget(option));
      this.instance.setOption(shown, fresh ? undefined : { notMerge: true });
      this.rendered = true;
    }

    /** Options that changed only in their values: ECharts merges the patches. */
    renderPatches(patches) {
      const merged = {};
      patches.forEach((patch) => mergeOption(merged, patch));
      if (this.fitted) mergeOption(merged, this.labelPatch(merged));
      this.instance.setOption(mergeOption(merged, this.animationBudget(this.option)));
    }

    renderPoints() {
      const data = this.seriesData();
      const series = this.option.series.map((item, index) => {
        if (!data.has(index)) return {};
        item.data = data.get(index);
        return { data: item.data };
      });
      const patch = Object.assign({ series: series }, syncCategories(this.option, this.points));
      if (this.fitted) Object.assign(patch, this.labelPatch(patch));
      this.instance.setOption(mergeOption(patch, this.animationBudget(this.option)));
    }

    fitsLabels() {
      return !this.doc || this.doc.fit_labels !== false;
    }

    size() {
      return { width: this.el.clientWidth || 600, height: this.el.clientHeight || 400 };
    }

    /** Recomputed label widths, merged with `patch` (axes are merged by index). */
    labelPatch(patch) {
      fitLabels(this.option, this.size(), this.fitted);
      const result = {};
      ["x", "y"].forEach((dim) => {
        const key = dim + "Axis";
        if (!this.fitted[dim].length) return;
        const axes = (patch && patch[key]) || asArray(this.option[key]).map(() => ({}));
        this.fitted[dim].forEach((item) => {
          const label = this.option[key][item.index].axisLabel;
          const fit = item.interval ? { width: label.width, interval: label.interval } : { width: label.width };
          axes[item.index] = Object.assign({}, axes[item.index], { axisLabel: fit });
        });
        result[key] = axes;
      });
      return result;
    }

    observeSize() {
      if (typeof ResizeObserver === "undefined") {
        this.onWindowResize = () => this.resize();
        window.addEventListener("resize", this.onWindowResize);
        return;
      }
      let last = "";
      this.resizeObserver = new ResizeObserver(() => {
        const size = this.el.clientWidth + "x" + this.el.clientHeight;
        if (size === last) return;
        last = size;
        if (!this.instance && this.option) this.schedule("option");
        else this.resize();
      });
      this.resizeObserver.observe(this.el);
    }

    resize() {
      if (!this.instance || this.resizing) return;
      this.resizing = requestAnimationFrame(() => {
        this.resizing = 0;
        if (!this.instance) return;
        this.instance.resize();
        if (this.fitted) this.instance.setOption(this.labelPatch(null));
      });
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
        this.applyOption(update.option, update.functions, update.scripts, update.theme);
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
        this.chartError = update.error || "The chart failed to build";
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
        return { state: "polling", message: link.fallback ? "event stream unavailable" : "" };
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
        (next.state === "static" ? "" : STATE_TEXT[next.state] + (next.message ? ": " + next.message : ""));
      this.badge.textContent = text;
      this.badge.title = text;
      this.badge.className = "fpe-state fpe-state--" + (this.notice ? "notice" : next.state) +
        ((this.option || this.composite) && this.rendered ? "" : " fpe-state--overlay");
      this.badge.hidden = !text;
      if (!changed) return;
      this.el.setAttribute("data-fpe-state", next.state);
      emit(this.el, "state", { chart: this.name, state: next.state, message: next.message });
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
      this.dropComposite();
      if (this.badge) this.badge.remove();
      this.el.removeAttribute("data-fpe-state");
      this.instance = null;
    }
  }

  // ------------------------------------------------------- the connection

  function connectionFor(base, transport) {
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
  class Connection {
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

    /**
     * Names and their `since`, one per name (paused charts are left out), and
     * the page's variables now, of which the query sends those they use.
     */
    subscription() {
      const since = new Map();
      const uses = new Set();
      this.members.forEach((chart) => {
        if (chart.paused || !chart.name || since.has(chart.name)) return;
        since.set(chart.name, chart.since);
        asArray(chart.uses).forEach((name) => uses.add(name));
      });
      return {
        names: Array.from(since.keys()), since: Array.from(since.values()),
        values: new Map(vars.values), uses: Array.from(uses),
      };
    }

    query(sub) {
      const variables = keyOf(sub.values, sub.uses);
      return "charts=" + sub.names.map(encodeURIComponent).join(",") +
        "&since=" + sub.since.map((s) => encodeURIComponent(s || "")).join(",") +
        (variables ? "&" + variables : "");
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
      const source = new EventSource(this.base + "events?" + this.query(sub));
      this.source = source;
      const handle = (type) => (event) => {
        if (this.source !== source) return;
        this.sourceErrors = 0;
        this.setProblem("");
        let update;
        try { update = JSON.parse(event.data); } catch (e) { return; }
        if (type === "chart-error") update.type = "error";
        else update.type = update.type || type;
        this.dispatch(update, sub.values);
      };
      ["option", "points", "reset", "chart-error"].forEach((type) => source.addEventListener(type, handle(type)));
      source.onopen = () => {
        if (this.source !== source) return;
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
        if (this.source === source) this.streamFailed(source);
      };
    }

    streamFailed(source) {
      if (this.probing) {  // the event stream is still unavailable: poll on
        this.probing = false;
        return this.usePolling(true);
      }
      // A stream that lived a while and was cut (proxy timeout) is not a failure.
      if (this.openedAt && Date.now() - this.openedAt > HEALTHY_STREAM_MS) this.sourceErrors = 0;
      this.openedAt = 0;
      this.sourceErrors += 1;
      if (this.sourceErrors >= SSE_FAILURES_BEFORE_POLLING) return this.usePolling(true);
      this.setProblem("connection lost, reconnecting");
      if (source.readyState === EventSource.CLOSED) {
        // The browser gave up (HTTP error): reconnect ourselves, with back-off.
        this.source = null;
        clearTimeout(this.reconnectTimer);
        this.reconnectTimer = setTimeout(() => this.restart(), backoff(this.sourceErrors, 1000));
      }
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
        result = await getJSON(this.base + "updates?" + this.query(sub), null, Math.max(10000, 3 * this.interval()));
      } catch (error) {
        result = { error: errorMessage(error) };
      }
      this.polling = false;
      if (result.error || !isObject(result.body)) {
        this.failures += 1;
        this.setProblem(result.error || "invalid answer from the server");
      } else {
        this.failures = 0;
        asArray(result.body.updates).forEach((update) => this.dispatch(update, sub.values));
        this.applySince(sub, result.body.since);
        this.setProblem("");
      }
      const interval = this.interval();
      let delay = this.failures ? retryDelay(result, this.failures, interval) : interval;
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

  // ---------------------------------------------------------- public API

  function mount(el, url, options) {
    if (!(el instanceof Element)) throw new TypeError("FlaskPyecharts.mount needs an element");
    if (charts.has(el)) return handle(charts.get(el));
    const chart = new Chart(el, url || el.getAttribute("data-chart"), options);
    charts.set(el, chart);
    chart.start();
    return handle(chart);
  }

  function handle(chart) {
    return {
      element: chart.el,
      get name() { return chart.name; },
      get state() { return chart.status.state; },
      instance: () => chart.instance,
      pause: () => chart.pause(),
      resume: () => chart.resume(),
      refresh: () => chart.refresh(),
      unmount: () => unmount(chart.el),
    };
  }

  function unmount(el) {
    const chart = charts.get(el);
    if (!chart) return false;
    charts.delete(el);
    chart.destroy();
    return true;
  }

  function mountAll(root) {
    const scope = root || document;
    const found = Array.from(scope.querySelectorAll(SELECTOR));
    if (scope instanceof Element && scope.matches(SELECTOR)) found.unshift(scope);
    return found.map((el) => mount(el));
  }

  function selected(el) {
    if (el) return charts.has(el) ? [charts.get(el)] : [];
    return Array.from(charts.values());
  }

  function pause(el) {
    if (!el) page.pausedAll = true;
    selected(el).forEach((chart) => chart.pause());
  }

  function resume(el) {
    if (!el) page.pausedAll = false;
    selected(el).forEach((chart) => chart.resume());
  }

  function refresh(el) {
    selected(el).forEach((chart) => chart.refresh());
  }

  /** The polling interval of the page in seconds; null: the charts' refresh. */
  function setPollInterval(seconds) {
    const value = Number(seconds);
    page.interval = value > 0 ? Math.max(MIN_INTERVAL, value * 1000) : null;
    connections.forEach((connection) => connection.pollNow());
    charts.forEach((chart) => {
      if (!chart.connection && chart.doc && chart.url && !chart.base) chart.scheduleDocumentPoll(0);
    });
  }

  /** Force a theme on every chart ("dark"), or null for each chart's own. */
  function setTheme(name) {
    page.theme = name || null;
    charts.forEach((chart) => { if (chart.option) chart.schedule("option"); });
  }

  function instance(el) {
    const chart = charts.get(el);
    return chart ? chart.instance : null;
  }

  function status(el) {
    return selected(el).map((chart) => ({
      element: chart.el, chart: chart.name, state: chart.status.state,
      message: chart.status.message, transport: chart.connection ? chart.connection.mode : null,
    }));
  }

  function on(type, fn) {
    const name = type.indexOf("fpe:") === 0 ? type : "fpe:" + type;
    const listener = (event) => fn(event.detail, event.target);
    document.addEventListener(name, listener);
    return () => document.removeEventListener(name, listener);
  }

  // ------------------------------------------------------------ the page

  function onVisibility() {
    if (document.hidden) return;
    connections.forEach((connection) => connection.pollNow());
    charts.forEach((chart) => {
      if (!chart.connection && chart.doc && chart.url && !chart.base) chart.scheduleDocumentPoll(0);
    });
  }

  /** Mount charts added to the page later, unmount the removed ones. */
  function watchDom() {
    if (typeof MutationObserver === "undefined") return;
    new MutationObserver(function (records) {
      let removed = false;
      records.forEach(function (record) {
        record.addedNodes.forEach((node) => { if (node instanceof Element) mountAll(node); });
        if (record.removedNodes.length) removed = true;
      });
      if (removed) charts.forEach((chart, el) => { if (!el.isConnected) unmount(el); });
    }).observe(document.body, { childList: true, subtree: true });
  }

  // --------------------------------------------------------- the dashboard

  const THEME_KEY = "flask-pyecharts-theme";

  function storedTheme() {
    try { return window.localStorage.getItem(THEME_KEY); } catch (e) { return null; }
  }

  function storeTheme(value) {
    try { window.localStorage.setItem(THEME_KEY, value); } catch (e) { /* private mode */ }
  }

  function initialTheme() {
    const stored = storedTheme();
    if (stored === "dark" || stored === "light") return stored;
    const dark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
    return dark ? "dark" : "light";
  }

  function applyPageTheme(root, value) {
    document.documentElement.setAttribute("data-fpe-theme", value);
    const button = root.querySelector("[data-fpe-theme-toggle]");
    if (button) {
      button.setAttribute("aria-pressed", String(value === "dark"));
      button.textContent = value === "dark" ? "Light theme" : "Dark theme";
    }
    setTheme(value === "dark" ? "dark" : null);
  }

  /**
   * One line for the dashboard header: how the page is connected (from the
   * connections, so a failing builder never reads as a lost connection), then
   * how many charts fail or show an old option.
   */
  function summarize() {
    const all = status();
    if (!all.length) return "No charts";
    const links = Array.from(connections.values());
    let text;
    if (page.pausedAll) text = "Paused";
    else if (links.some((link) => link.problem)) text = "Reconnecting…";
    else if (links.some((link) => link.mode === "poll")) text = "Polling every " + pollingInterval() / 1000 + " s";
    else if (links.some((link) => link.source && link.openedAt)) text = "Live";
    else if (links.length || all.some((item) => item.state === "loading")) text = "Connecting…";
    else text = "Up to date";
    const count = (state) => all.filter((item) => item.state === state).length;
    const problems = [];
    if (count("error")) problems.push(count("error") + " failing");
    if (count("stale")) problems.push(count("stale") + " stale");
    return problems.length ? text + " · " + problems.join(", ") : text;
  }

  function pollingInterval() {
    let shortest = Infinity;
    connections.forEach((connection) => { shortest = Math.min(shortest, connection.interval()); });
    return shortest === Infinity ? page.interval || DEFAULT_INTERVAL : shortest;
  }

  function wireDashboard(root) {
    applyPageTheme(root, initialTheme());
    const updated = root.querySelector("[data-fpe-updated]");
    const connection = root.querySelector("[data-fpe-connection]");
    const toggle = root.querySelector("[data-fpe-toggle]");
    const interval = root.querySelector("[data-fpe-interval]");
    const themeButton = root.querySelector("[data-fpe-theme-toggle]");
    let summaryFrame = 0;
    const showSummary = () => {
      summaryFrame = 0;
      if (connection) connection.textContent = summarize();
      if (connection) connection.setAttribute("data-fpe-summary", page.pausedAll ? "paused" : "");
    };
    const refreshSummary = () => { if (!summaryFrame) summaryFrame = requestAnimationFrame(showSummary); };
    on("state", refreshSummary);
    on("connection", refreshSummary);
    on("update", function () {
      if (!updated) return;
      const now = new Date();
      updated.textContent = now.toLocaleTimeString();
      updated.setAttribute("datetime", now.toISOString());
    });
    if (toggle) {
      toggle.addEventListener("click", function () {
        if (page.pausedAll) resume(); else pause();
        toggle.setAttribute("aria-pressed", String(page.pausedAll));
        toggle.textContent = page.pausedAll ? "Resume" : "Pause";
        refreshSummary();
      });
    }
    if (interval) {
      interval.addEventListener("change", function () {
        setPollInterval(interval.value === "auto" ? null : interval.value);
        refreshSummary();
      });
    }
    if (themeButton) {
      themeButton.addEventListener("click", function () {
        const next = document.documentElement.getAttribute("data-fpe-theme") === "dark" ? "light" : "dark";
        storeTheme(next);
        applyPageTheme(root, next);
      });
    }
  }

  // ------------------------------------------------------------ the filters

  /** Filter controls, the drill-down breadcrumb and notices of a filter bar. */
  function wireFilters(form) {
    const notice = form.querySelector("[data-fpe-filter-notice]");
    const crumbs = form.querySelector("[data-fpe-breadcrumb]");
    const say = (message) => { if (notice) notice.textContent = message; };
    form.addEventListener("submit", (event) => event.preventDefault());
    form.querySelectorAll("[data-fpe-variable]").forEach(function (control) {
      control.addEventListener("change", function () {
        const name = control.getAttribute("data-fpe-variable");
        try {
          say("");
          setVariables({ [name]: control.value });
        } catch (error) {
          say(errorMessage(error).replace(/^Flask-PyEcharts: /, ""));
          control.value = effective(name);
        }
      });
    });
    if (crumbs) {
      crumbs.addEventListener("click", function (event) {
        const target = event.target.closest("[data-fpe-reset]");
        if (target) setVariables({ [target.getAttribute("data-fpe-reset")]: null });
      });
    }
    const show = () => {
      form.querySelectorAll("[data-fpe-variable]").forEach(function (control) {
        const value = effective(control.getAttribute("data-fpe-variable"));
        if (value !== null && control.value !== value) control.value = value;
      });
      if (crumbs) showBreadcrumb(crumbs, form);
    };
    on("variables", (detail) => {
      say("");
      show();
      asArray(detail.changed).forEach(function (name) {  // the server's complaint is old now
        const control = form.querySelector('[data-fpe-variable="' + CSS.escape(name) + '"]');
        const filter = control && control.closest(".fpe-filter");
        if (filter) filter.classList.remove("fpe-filter--invalid");
      });
    });
    on("notice", (detail) => say(detail.message));
    show();
  }

  /** `地区: 全国 › 广东 ×` for each variable a click sets, while not at its default. */
  function showBreadcrumb(nav, form) {
    nav.textContent = "";
    form.querySelectorAll(".fpe-filter--drill [data-fpe-variable]").forEach(function (control) {
      const name = control.getAttribute("data-fpe-variable");
      const declared = vars.declared.get(name);
      const value = effective(name);
      if (!declared || value === null || value === declared.default) return;
      const label = declared.label || name;
      const add = (tag, className, text, reset) => {
        const el = document.createElement(tag);
        el.className = className;
        el.textContent = text;
        if (tag === "button") el.type = "button";
        if (reset) el.setAttribute("data-fpe-reset", name);
        nav.appendChild(el);
        return el;
      };
      add("span", "fpe-filter-label", label + ":");
      add("button", "fpe-crumb", declared.default, true);
      add("span", "fpe-crumb-sep", "›");
      add("span", "fpe-crumb fpe-crumb--current", value).setAttribute("aria-current", "location");
      add("button", "fpe-clear", "× " + label, true).setAttribute("aria-label", "Clear " + label);
    });
    nav.hidden = !nav.childNodes.length;
  }

  // -------------------------------------------------------------- presses

  /** The innermost chart an element belongs to (a composite's part first). */
  function chartOf(node) {
    for (; node; node = node.parentElement) {
      if (charts.has(node)) return charts.get(node);
    }
    return null;
  }

  function onPress(event) {
    release();
    press.chart = chartOf(event.target);
    if (press.chart) press.timer = setTimeout(release, MAX_HOLD_MS);
  }

  /** End the press; a held chart draws once the click has been dispatched
   *  (it follows the release in the same task). */
  function release() {
    const chart = press.chart;
    const held = press.held;
    clearTimeout(press.timer);
    Object.assign(press, { chart: null, held: false, timer: 0 });
    if (chart && held) setTimeout(() => chart.requestFrame(), 0);
  }

  function init() {
    readDeclarations(document);
    document.addEventListener("pointerdown", onPress, true);
    ["pointerup", "pointercancel", "blur"].forEach((name) => window.addEventListener(name, release, true));
    const dashboard = document.querySelector("[data-fpe-dashboard]");
    if (dashboard) wireDashboard(dashboard);
    document.querySelectorAll("[data-fpe-filters]").forEach(wireFilters);
    document.addEventListener("visibilitychange", onVisibility);
    window.addEventListener("popstate", onPopState);
    mountAll(document);
    watchDom();
  }

  window.FlaskPyecharts = {
    version: "0.1.0",
    mount: mount,
    unmount: unmount,
    mountAll: mountAll,
    pause: pause,
    resume: resume,
    refresh: refresh,
    instance: instance,
    status: status,
    on: on,
    setInterval: setPollInterval,
    setTheme: setTheme,
    setVariables: setVariables,
    variables: variables,
  };

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})(window, document);
