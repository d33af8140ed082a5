"""Languages: the server's message catalogue (``zh-CN`` and ``en``) and the
choice of one for a request.

A leaf: pages ask :func:`request_locale` which language to speak, then
:func:`translate` (or the ``t`` a template gets from :func:`translator`) for
each text of their chrome. The browser runtime has its own catalogue
(``client/src/messages.js``) for what it shows.
"""

from __future__ import annotations

import typing as t

from flask import Response, has_request_context, request
from werkzeug.datastructures import LanguageAccept

__all__ = [
    "CATALOGUE",
    "LOCALES",
    "SETTINGS",
    "misspelt_notice",
    "page_response",
    "request_locale",
    "translate",
    "translator",
]

#: The languages the chrome speaks; the first one is the fallback.
LOCALES = ("en", "zh-CN")
#: What ``PYECHARTS_LOCALE`` may be: ``auto`` follows ``Accept-Language``.
SETTINGS = ("auto", *LOCALES)

#: key -> text, per locale; ``{name}`` marks a parameter.
CATALOGUE: dict[str, dict[str, str]] = {
    "en": {
        "updated": "Updated",
        "connecting": "Connecting…",
        "pause": "Pause",
        "poll_every": "Poll every",
        "auto": "auto",
        "seconds": "{n} s",
        "dark_theme": "Dark theme",
        "filters": "Filters",
        "drill_path": "Drill-down path",
        "apply": "Apply",
        "needs_js": "This dashboard needs JavaScript.",
        "not_allowed": '"{value}" is not an allowed {label} ({choices})',
        "not_valid": '"{value}" is not a valid {label}',
        "at_least": "{label} must be at least {min}",
        "at_most": "{label} must be at most {max}",
        "repeated": "{label} is given {count} times",
        "not_text": "{label} is not UTF-8 text",
        "choices_failed": "The choices of {label} cannot be read",
        "snapshot": "Snapshot of",
        "for_values": "for the values",
        "export_failed": "This chart could not be exported.",
        "misspelt": 'Unknown variable "{name}": did you mean "{variable}"?',
        "variables_are": "The variables are {names}.",
        "home": "Home",
        "reports": "Reports",
        "dashboard": "Dashboard",
        "screen": "Screen",
        "no_reports": "No reports to show.",
        "playlist": "Playlist",
        "playlist_needs_js": "This playlist needs JavaScript.",
        "screen_needs_js": "This screen needs JavaScript.",
    },
    "zh-CN": {
        "updated": "更新于",
        "connecting": "连接中…",
        "pause": "暂停",
        "poll_every": "轮询间隔",
        "auto": "自动",
        "seconds": "{n} 秒",
        "dark_theme": "深色主题",
        "filters": "筛选",
        "drill_path": "下钻路径",
        "apply": "应用",
        "needs_js": "此仪表盘需要启用 JavaScript。",
        "not_allowed": "“{value}”不是允许的{label}（{choices}）",
        "not_valid": "“{value}”不是有效的{label}",
        "at_least": "{label}不能小于 {min}",
        "at_most": "{label}不能大于 {max}",
        "repeated": "{label}给出了 {count} 次",
        "not_text": "{label}不是 UTF-8 文本",
        "choices_failed": "无法读取{label}的可选值",
        "snapshot": "数据快照",
        "for_values": "筛选条件",
        "export_failed": "此图表无法导出。",
        "misspelt": "未知的变量“{name}”：是不是“{variable}”？",
        "variables_are": "可用的变量：{names}。",
        "home": "首页",
        "reports": "报表",
        "dashboard": "仪表盘",
        "screen": "大屏",
        "no_reports": "没有可显示的报表。",
        "playlist": "轮播",
        "playlist_needs_js": "此轮播需要启用 JavaScript。",
        "screen_needs_js": "此大屏需要启用 JavaScript。",
    },
}


def request_locale(setting: str) -> str:
    """The locale a page speaks: ``setting`` itself unless it is ``auto``;
    then the request's ``Accept-Language`` (any ``zh`` tag gives ``zh-CN``,
    anything else ``en``), and ``en`` outside a request."""
    if setting != "auto":
        return setting
    if not has_request_context():
        return LOCALES[0]
    # By primary subtag: zh-TW, zh-Hant and zh all read Chinese.
    primary = LanguageAccept(
        [(value.split("-")[0], quality) for value, quality in request.accept_languages]
    )
    return "zh-CN" if primary.best_match(["en", "zh"], default="en") == "zh" else "en"


def translate(locale: str, key: str, **params: object) -> str:
    """The text of ``key`` in ``locale`` (English for an unknown locale),
    with ``{name}`` parameters filled in.

    :raises KeyError: for a key the catalogue does not have.
    """
    text = CATALOGUE.get(locale, CATALOGUE[LOCALES[0]])[key]
    for name, value in params.items():
        text = text.replace("{" + name + "}", str(value))
    return text


def translator(locale: str) -> t.Callable[..., str]:
    """``t(key, **params)`` for templates, bound to ``locale``."""

    def t_(key: str, **params: object) -> str:
        return translate(locale, key, **params)

    return t_


def page_response(page: str, setting: str) -> Response:
    """An HTML page; with ``setting`` ``auto`` its language follows
    ``Accept-Language``, and the response says so to caches."""
    response = Response(page, mimetype="text/html")
    if setting == "auto":
        response.vary.add("Accept-Language")
    return response


def misspelt_notice(
    locale: str, misspelt: t.Mapping[str, str], variables: t.Sequence[str]
) -> str:
    """What a page says of the misspelt variables in its URL (parameter: the
    variable it looks like), in ``locale``."""
    guesses = " ".join(
        translate(locale, "misspelt", name=name[:40], variable=variable)
        for name, variable in misspelt.items()
    )
    return (
        guesses + " " + translate(locale, "variables_are", names=", ".join(variables))
    )
