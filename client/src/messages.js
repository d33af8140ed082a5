// Every text the client shows people, in English and Chinese (zh-CN), and
// the page's language: `<html lang>`, which the server sets from
// PYECHARTS_LOCALE (any "zh..." reads Chinese, anything else English).
// `{name}` in a text is a parameter of t().

export const MESSAGES = {
  en: {
    // a chart's badge
    "state.loading": "Loading…",
    "state.live": "Live",
    "state.polling": "Live (polling)",
    "state.paused": "Paused",
    "state.stale": "Stale",
    "state.error": "Error",
    "state.connecting": "Connecting…",
    "state.detail": "{state}: {message}",
    "state.no_stream": "event stream unavailable",
    // the dashboard's header
    "summary.none": "No charts",
    "summary.paused": "Paused",
    "summary.reconnecting": "Reconnecting…",
    "summary.polling": "Polling every {seconds} s",
    "summary.live": "Live",
    "summary.connecting": "Connecting…",
    "summary.current": "Up to date",
    "summary.failing": "{count} failing",
    "summary.stale": "{count} stale",
    "summary.join": "{summary} · {problems}",
    "summary.separator": ", ",
    "control.pause": "Pause",
    "control.resume": "Resume",
    "control.dark": "Dark theme",
    "control.light": "Light theme",
    // errors
    "error.unknown": "Unknown error",
    "error.http": "HTTP {status}",
    "error.timeout": "Request timed out",
    "error.network": "Network error: the server cannot be reached",
    "error.script": "Cannot load script {url}",
    "error.jscode_csp": "JsCode needs 'unsafe-eval' in the Content-Security-Policy",
    "error.jscode": "Invalid JsCode at {path}: {error}",
    "error.js_funcs_csp": "add_js_funcs needs 'unsafe-eval' in the Content-Security-Policy",
    "error.js_funcs": "add_js_funcs failed: {error}",
    "error.embedded_json": "The embedded chart JSON is invalid: {error}",
    "error.no_chart": "No chart: set data-chart or embed a script.fpe-initial element",
    "error.empty": "The chart document is empty",
    "error.no_option": "The chart document has no option",
    "error.build": "The chart failed to build",
    "error.build_id": "The chart could not be built (error id {id}; the server's log tells more)",
    "error.echarts": "ECharts is not loaded",
    "error.draw": "ECharts could not draw this option: {error}",
    "error.connection_lost": "connection lost, reconnecting",
    "error.server_away": "the server does not answer; trying again",
    "error.bad_answer": "invalid answer from the server",
    // filters and clicks
    "filter.unknown": "Unknown variable {name}",
    "filter.not_allowed": '"{value}" is not an allowed {label} ({choices})',
    "filter.not_valid": '"{value}" is not a valid {label}',
    "filter.too_long": "{label} is too long",
    "filter.at_least": "{label} must be at least {min}",
    "filter.at_most": "{label} must be at most {max}",
    "crumb.label": "{label}:",
    "crumb.clear": "Clear {label}",
    // parts, site, playlists
    "part.table": "Table",
    "card.up": "up {change} vs previous",
    "card.down": "down {change} vs previous",
    "card.flat": "unchanged vs previous",
    "card.trend": "trend",
    "table.download": "Download CSV",
    "table.rank": "Rank",
    "table.sortBy": "Sort by {column}",
    "table.empty": "No rows",
    "nav.home": "Home",
    "nav.reports": "Reports",
    "playlist.next": "Next: {title}",
    // times
    "time.now": "updated just now",
    "time.seconds": "updated {n} s ago",
    "time.minutes": "updated {n} min ago",
    "time.hours": "updated {n} h ago",
    "time.days": "updated {n} d ago",
  },
  "zh-CN": {
    "state.loading": "加载中…",
    "state.live": "实时",
    "state.polling": "实时（轮询）",
    "state.paused": "已暂停",
    "state.stale": "数据过期",
    "state.error": "错误",
    "state.connecting": "连接中…",
    "state.detail": "{state}：{message}",
    "state.no_stream": "事件流不可用",
    "summary.none": "没有图表",
    "summary.paused": "已暂停",
    "summary.reconnecting": "重新连接中…",
    "summary.polling": "每 {seconds} 秒轮询",
    "summary.live": "实时",
    "summary.connecting": "连接中…",
    "summary.current": "已是最新",
    "summary.failing": "{count} 个出错",
    "summary.stale": "{count} 个过期",
    "summary.join": "{summary} · {problems}",
    "summary.separator": "，",
    "control.pause": "暂停",
    "control.resume": "继续",
    "control.dark": "深色主题",
    "control.light": "浅色主题",
    "error.unknown": "未知错误",
    "error.http": "服务器返回 {status}",
    "error.timeout": "请求超时",
    "error.network": "网络错误：无法连接服务器",
    "error.script": "无法加载脚本 {url}",
    "error.jscode_csp": "JsCode 需要内容安全策略（CSP）允许 'unsafe-eval'",
    "error.jscode": "{path} 处的 JsCode 无效：{error}",
    "error.js_funcs_csp": "add_js_funcs 需要内容安全策略（CSP）允许 'unsafe-eval'",
    "error.js_funcs": "add_js_funcs 运行出错：{error}",
    "error.embedded_json": "嵌入的图表 JSON 无效：{error}",
    "error.no_chart": "没有图表：请设置 data-chart 或嵌入 script.fpe-initial 元素",
    "error.empty": "图表文档为空",
    "error.no_option": "图表文档缺少配置项",
    "error.build": "图表生成失败",
    "error.build_id": "图表无法生成（错误编号 {id}，详见服务器日志）",
    "error.echarts": "ECharts 未加载",
    "error.draw": "ECharts 无法绘制此配置项：{error}",
    "error.connection_lost": "连接中断，正在重连",
    "error.server_away": "服务器没有应答，正在重试",
    "error.bad_answer": "服务器的应答无效",
    "filter.unknown": "未知的变量 {name}",
    "filter.not_allowed": "“{value}”不是允许的{label}（{choices}）",
    "filter.not_valid": "“{value}”不是有效的{label}",
    "filter.too_long": "{label}太长",
    "filter.at_least": "{label}不能小于 {min}",
    "filter.at_most": "{label}不能大于 {max}",
    "crumb.label": "{label}：",
    "crumb.clear": "清除{label}",
    "part.table": "表格",
    "card.up": "较上期上升 {change}",
    "card.down": "较上期下降 {change}",
    "card.flat": "较上期持平",
    "card.trend": "趋势",
    "table.download": "下载 CSV",
    "table.rank": "排名",
    "table.sortBy": "按{column}排序",
    "table.empty": "暂无数据",
    "nav.home": "首页",
    "nav.reports": "报表",
    "playlist.next": "下一个：{title}",
    "time.now": "刚刚更新",
    "time.seconds": "{n} 秒前更新",
    "time.minutes": "{n} 分钟前更新",
    "time.hours": "{n} 小时前更新",
    "time.days": "{n} 天前更新",
  },
};

export const LOCALES = Object.keys(MESSAGES);

/** "zh-CN" for any Chinese language tag, else "en". */
export function localeOf(tag) {
  return /^zh\b/i.test(String(tag || "")) ? "zh-CN" : "en";
}

/** The page's locale, from `<html lang>` ("en" without a document). */
export function currentLocale() {
  const root = typeof document === "undefined" ? null : document.documentElement;
  return localeOf(root && root.getAttribute("lang"));
}

/** The text of `key` in `locale` (English if that one lacks it; the key
 *  itself if none has it), with `{name}` replaced by `params.name`. */
export function translate(locale, key, params) {
  const table = MESSAGES[locale] || MESSAGES.en;
  const text = key in table ? table[key] : key in MESSAGES.en ? MESSAGES.en[key] : key;
  return text.replace(/\{(\w+)\}/g, (whole, name) =>
    params && name in params ? String(params[name]) : whole);
}

/**
 * What a page says of a chart that failed to build, from the server's error
 * (an update, or an answer's body): with an error id (a server outside debug
 * mode) a sentence in the page's language; else the server's own message
 * (a developer's, in debug mode).
 */
export function buildError(failure, locale) {
  const language = locale || currentLocale();
  if (failure && typeof failure.error_id === "string") {
    return translate(language, "error.build_id", { id: failure.error_id });
  }
  return (failure && failure.error) || translate(language, "error.build");
}

/** The text of `key` in the page's language. */
export function t(key, params) {
  return translate(currentLocale(), key, params);
}

/** "updated 3 s ago": how long ago `then` was, at `now` (both in ms). */
export function relativeTime(then, now, locale) {
  const seconds = Math.max(0, Math.floor((now - then) / 1000));
  const say = (key, n) => translate(locale || currentLocale(), key, { n: n });
  if (seconds < 5) return say("time.now");
  if (seconds < 60) return say("time.seconds", seconds);
  if (seconds < 3600) return say("time.minutes", Math.floor(seconds / 60));
  if (seconds < 86400) return say("time.hours", Math.floor(seconds / 3600));
  return say("time.days", Math.floor(seconds / 86400));
}

/** A clock's text: the time (24 h) in the page's language, with the date and
 *  weekday when `withDate` ("2026年12月6日 星期日 15:04:05"). */
export function clockText(date, withDate, locale) {
  const options = { hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false };
  if (withDate) Object.assign(options, { year: "numeric", month: "long", day: "numeric", weekday: "long" });
  return new Intl.DateTimeFormat(locale || currentLocale(), options).format(date);
}
