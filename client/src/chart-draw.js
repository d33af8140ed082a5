// How a chart draws: one setOption per animation frame, update animations cut
// to the page's budget, labels fitted to the size, dark pages, resizes.

import { attr, asArray, emit, errorMessage, isObject } from "./util.js";
import { ANIMATION_SHARE, animationBudget, animationPatch } from "./animation.js";
import { fillArea } from "./areas.js";
import { NumberCard, isNumberCard } from "./cards.js";
import { CLASSES } from "./classes.js";
import { fitLabels } from "./labels.js";
import { mergeOption, withPatch } from "./options.js";
import { page, press } from "./state.js";
import { screenPixelRatio } from "./screen.js";
import { syncCategories } from "./streams.js";
import { LiveTable, isTableOption } from "./tables.js";
import { darkOption } from "./theme.js";
import { t } from "./messages.js";

const FRAME_MS = 16;
const STILL_FRAMES = 1;

/** The share of its time the page may animate: `data-animation-share` on
 *  the body (0 to 1; 1 keeps every chart's own durations), else the default
 *  (animation.js). */
function animationShare() {
  const own = document.body ? parseFloat(document.body.getAttribute("data-animation-share")) : NaN;
  return own >= 0 && own <= 1 ? own : ANIMATION_SHARE;
}

/** The drawing half of a Chart (chart.js): its ECharts instance and frames. */
export class DrawnChart {
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
      if (isNumberCard(this.option)) this.drawCard();
      else if (isTableOption(this.option)) this.drawTable();
      else if (full || !this.instance) this.render();
      else if (patches.length) this.renderPatches(patches);
      else this.renderPoints();
    } catch (error) {
      this.loadError = t("error.draw", { error: errorMessage(error) });
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

  /** The longest update animation the page affords now (ms, see
   *  animation.js); null before its pace is known or when every chart keeps
   *  its own durations. */
  updateBudget() {
    const share = animationShare();
    return page.updateGap && share < 1 ? animationBudget(page.updateGap, share) : null;
  }

  /** The budget as a patch when it changed since this chart's last
   *  setOption (ECharts keeps what it merged); empty otherwise. */
  budgetChange(option) {
    const budget = this.updateBudget();
    if (budget === null || budget === this.appliedBudget) return {};
    this.appliedBudget = budget;
    return animationPatch(option, budget);
  }

  ensureInstance() {
    if (typeof window.echarts === "undefined") throw new Error(t("error.echarts"));
    const theme = this.wantedTheme();
    // On a screen, canvases render at device pixels: the window's ratio
    // times the page's scale (screen.js), made again when the scale changes.
    const ratio = screenPixelRatio();
    if (this.instance && this.themeName === theme && this.pixelRatio === ratio) return false;
    const previous = this.instance;
    if (previous) previous.dispose();
    const opts = { renderer: this.renderer() };
    if (ratio) opts.devicePixelRatio = ratio;
    this.instance = window.echarts.init(this.el, theme || undefined, opts);
    this.pixelRatio = ratio;
    this.instance.on("click", (params) => this.clicked(params));
    // zrender keeps requesting frames for 10 still frames after each change;
    // every frame costs the page (see animation.js): stop after one.
    const zr = this.instance.getZr();
    if (zr && zr.setSleepAfterStill) zr.setSleepAfterStill(STILL_FRAMES);
    this.themeName = theme;
    this.badge && this.el.appendChild(this.badge); // keep the badge above the canvas
    return !!previous;
  }

  /**
   * A new ECharts instance drawing the same option, made in one task (no
   * frame is painted in between) and drawn without its initial animation:
   * what the page shows does not change (see renewal.js).
   */
  renew() {
    if (!this.instance || !this.option || this.composite || this.destroyed) return;
    this.themeName = undefined;  // ensureInstance makes a new instance
    this.renewing = true;
    this.schedule("option");
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

  /** A number card's option: drawn by cards.js, no ECharts instance. */
  drawCard() {
    if (this.instance) this.instance.dispose();
    this.instance = null;
    if (!this.card) {
      this.card = new NumberCard(this.el);
      this.el.classList.add(CLASSES.numberHost);
    }
    this.card.show(this.option);
    this.rendered = true;
  }

  dropCard() {
    if (!this.card) return;
    this.card.destroy();
    this.card = null;
    this.el.classList.remove(CLASSES.numberHost);
  }

  /** A live table's option is drawn by tables.js, not ECharts: its rows,
   *  or a stream's window of rows. */
  drawTable() {
    if (this.instance) this.instance.dispose();
    this.instance = null;
    if (!this.table) this.table = new LiveTable(this.el, { name: this.name });
    if (this.isStream()) this.option.series[0].data = this.seriesData().get(0) || [];
    this.table.show(this.option);
    this.rendered = true;
  }

  dropTable() {
    if (this.table) this.table.destroy();
    this.table = null;
  }

  /** Whether nothing is left to draw (exports wait for every chart's): a
   *  number card once its roll is over, a table at once, a composite once
   *  its parts are, a chart once ECharts' animations are over. */
  isDrawn() {
    if (this.card) return this.card.drawn;
    if (this.table) return true;
    if (this.composite) return !!this.rendered && this.parts.drawn();
    return !!this.instance && this.instance.getZr().animation.isFinished();
  }

  render() {
    this.dropCard();
    this.dropTable();
    const fresh = this.ensureInstance() || !this.rendered;
    const option = this.option;
    if (this.isStream()) {
      this.seriesData().forEach((values, index) => { option.series[index].data = values; });
      syncCategories(option, this.points);
    }
    if (this.area()) this.fillArea(option);
    if (this.fitsLabels()) this.fitted = fitLabels(option, this.size(), this.fitted);
    // HTML tooltips carry style="" attributes, which a strict CSP blocks.
    if (this.strictStyles && option.tooltip !== undefined) {
      option.tooltip = asArray(option.tooltip).map((tooltip) => Object.assign({}, tooltip, { renderMode: "richText" }));
    }
    // The page's dark background shows through; the stored option stays as built.
    let shown = this.themeName === "dark" ? darkOption(option) : option;
    // A whole new option replaces what is shown (its structure may differ),
    // and its durations with it: the budget is applied again, whole.
    const budget = fresh ? null : this.updateBudget();
    this.appliedBudget = budget === null ? undefined : budget;
    if (budget !== null) shown = withPatch(shown, animationPatch(option, budget));
    const renewing = fresh && this.renewing;
    this.renewing = false;
    if (renewing) shown = Object.assign({}, shown, { animation: false });
    this.instance.setOption(shown, fresh ? undefined : { notMerge: true });
    if (renewing) this.instance.setOption({ animation: option.animation !== false });
    this.rendered = true;
  }

  /** Options that changed only in their values: ECharts merges the patches. */
  renderPatches(patches) {
    const merged = {};
    patches.forEach((patch) => mergeOption(merged, patch));
    if (merged.title && this.area()) this.showHeading(merged);
    if (this.fitted) mergeOption(merged, this.labelPatch(merged));
    this.instance.setOption(mergeOption(merged, this.budgetChange(this.option)));
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
    this.instance.setOption(mergeOption(patch, this.budgetChange(this.option)));
  }

  /** The card or panel of a report the chart fills, if it is in one. */
  area() {
    const parent = this.el.parentElement;
    return parent && parent.matches(".fpe-card, .fpe-panel") ? parent : null;
  }

  /** Fill the area; a card titled by the option shows the title as its heading. */
  fillArea(option) {
    const fromOption = this.el.getAttribute("data-fpe-title") === "option";
    if (fromOption) this.showHeading(option);
    fillArea(option, fromOption);
  }

  showHeading(option) {
    if (this.el.getAttribute("data-fpe-title") !== "option") return;
    const heading = this.area().querySelector("h2");
    const first = asArray(option.title)[0];
    const text = isObject(first) && typeof first.text === "string" ? first.text : "";
    if (heading && text.trim() && heading.textContent !== text) heading.textContent = text;
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
        if (item.fontSize && label.fontSize !== undefined) fit.fontSize = label.fontSize;
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
}
