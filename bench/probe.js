(() => {
  const B = window.__bench = {
    measuring: false, full: [], stream: [], streamWorld: [], long: [],
    frames: 0, dropped: 0, updates: 0,
  };
  try {
    new PerformanceObserver((list) => {
      if (B.measuring) for (const e of list.getEntries()) B.long.push(e.duration);
    }).observe({type: "longtask", buffered: false});
  } catch (e) { B.noLongTask = String(e); }
  let last = 0;
  const frame = (now) => {
    if (last && B.measuring) {
      B.frames += 1;
      const gap = now - last;
      if (gap > 25) B.dropped += Math.round(gap / (1000 / 60)) - 1;
    }
    last = now;
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  const seen = new WeakMap();
  function instanceOf(el) {
    if (window.FlaskPyecharts) return window.FlaskPyecharts.instance(el);
    return window.echarts && window.echarts.getInstanceByDom(el);
  }
  function onUpdate(ev) {
    const now = Date.now() / 1000;
    const el = ev.target;
    const inst = instanceOf(el);
    if (!inst) return;
    const model = inst.getModel();
    const series = model && model.getSeriesByIndex(0);
    if (!series) return;
    const prev = seen.get(el) || 0;
    let newest = prev;
    if (series.subType === "bar") {
      const title = model.getComponent("title");
      const m = /T=(\d+\.\d+)/.exec((title && title.option.subtext) || "");
      if (m && +m[1] > prev) {
        newest = +m[1];
        if (prev && B.measuring) B.full.push(now - newest);
      }
    } else if (el.dataset.benchT !== undefined) {  // the classic page
      const t = +el.dataset.benchT;
      if (t > prev) {
        newest = t;
        if (prev && B.measuring) {
          B.stream.push(now - t);
          B.streamWorld.push(now - t);
        }
      }
    } else {
      const data = series.getData();
      for (let i = data.count() - 1; i >= 0; i--) {
        const item = data.getRawDataItem(i);
        const t = item && +item[2];
        if (!(t > prev)) break;
        if (t > newest) newest = t;
        if (prev && B.measuring) {
          B.stream.push(now - t);
          B.streamWorld.push(now - +item[0]);
        }
      }
    }
    if (B.measuring) B.updates += 1;
    seen.set(el, newest);
  }
  document.addEventListener("fpe:update", onUpdate, true);
  document.addEventListener("bench:update", onUpdate, true);
})();
