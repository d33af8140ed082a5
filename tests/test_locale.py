"""Languages: PYECHARTS_LOCALE, Accept-Language negotiation, the chrome of
dashboards in zh-CN and en, the server's catalogue."""

from __future__ import annotations

import re
import typing as t

import pytest
from flask import Flask
from markupsafe import escape

from flask_pyecharts import Charts
from flask_pyecharts.export.app import export_dashboard
from flask_pyecharts.locale import CATALOGUE, request_locale, translate


def start(**config: object) -> tuple[Flask, Charts]:
    app = Flask(__name__)
    app.config.update(TESTING=True, **config)
    charts = Charts(app)
    charts.variable("region", choices=["全国", "华东"], label="地区")

    @charts.chart("sales", title="销售额")
    def sales(region: str) -> dict[str, t.Any]:
        return {"series": [{"type": "bar", "data": [1]}]}

    charts.dashboard("/", ["sales"], title="销售", endpoint="home")
    return app, charts


@pytest.fixture
def app() -> t.Iterator[Flask]:
    app, charts = start()
    yield app
    charts.shutdown()


def test_every_key_is_in_both_languages():
    assert set(CATALOGUE["en"]) == set(CATALOGUE["zh-CN"])
    for locale, table in CATALOGUE.items():
        for key, text in table.items():
            params = set(re.findall(r"\{(\w+)\}", text))
            english = set(re.findall(r"\{(\w+)\}", CATALOGUE["en"][key]))
            assert params == english, (locale, key)


def test_parameters_are_filled_in():
    assert translate("zh-CN", "seconds", n=5) == "5 秒"
    assert translate("en", "seconds", n=5) == "5 s"
    assert translate("fr", "pause") == "Pause"  # unknown locale: English
    with pytest.raises(KeyError):
        translate("en", "no such key")


@pytest.mark.parametrize(
    ("header", "locale"),
    [
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh-CN"),
        ("zh-TW", "zh-CN"),
        ("zh-Hant-HK", "zh-CN"),
        ("zh", "zh-CN"),
        ("en-US,en;q=0.9,zh;q=0.8", "en"),
        ("en;q=0.1, zh-tw;q=0.5", "zh-CN"),  # the higher quality wins
        ("de, zh;q=0.5", "zh-CN"),
        ("fr", "en"),
        ("*", "en"),
        ("", "en"),
    ],
)
def test_auto_follows_accept_language(app: Flask, header: str, locale: str):
    with app.test_request_context(headers={"Accept-Language": header}):
        assert request_locale("auto") == locale
    page = app.test_client().get("/", headers={"Accept-Language": header})
    assert f'<html lang="{locale}"' in page.text
    assert "Accept-Language" in page.headers["Vary"]


def test_outside_a_request_auto_is_english():
    assert request_locale("auto") == "en"
    assert request_locale("zh-CN") == "zh-CN"


def test_a_fixed_locale_ignores_the_browser():
    app, charts = start(PYECHARTS_LOCALE="zh-CN")
    try:
        page = app.test_client().get("/", headers={"Accept-Language": "en"})
        assert '<html lang="zh-CN"' in page.text
        assert "Accept-Language" not in page.headers.get("Vary", "")
    finally:
        charts.shutdown()


@pytest.mark.parametrize("value", ["zh", "fr", "", 5, "ZH-CN"])
def test_a_bad_locale_fails_at_start_up(value: object):
    app = Flask(__name__)
    app.config["PYECHARTS_LOCALE"] = value
    with pytest.raises(ValueError, match="PYECHARTS_LOCALE"):
        Charts(app)


def test_the_locale_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("PYECHARTS_LOCALE", "en")
    app, charts = start()
    try:
        assert charts.runtime(app).settings.locale == "en"
    finally:
        charts.shutdown()


CHROME = {
    "en": ["Updated", "Connecting…", "Pause", "Poll every", "auto", "Dark theme"],
    "zh-CN": ["更新于", "连接中…", "暂停", "轮询间隔", "自动", "深色主题"],
}


@pytest.mark.parametrize("locale", ["en", "zh-CN"])
def test_the_dashboard_chrome_speaks_the_locale(app: Flask, locale: str):
    page = app.test_client().get("/?region=火星", headers={"Accept-Language": locale})
    for text in CHROME[locale]:
        assert text in page.text
    other = CHROME["zh-CN" if locale == "en" else "en"]
    assert [text for text in other if f">{text}<" in page.text] == []
    notice = translate(
        locale, "not_allowed", value="火星", label="地区", choices="全国, 华东"
    )
    assert str(escape(notice)) in page.text
    assert translate(locale, "needs_js") in page.text


def test_no_latin_word_in_the_zh_chrome(app: Flask):
    """Every text node outside scripts: no word of English on a zh page."""
    page = app.test_client().get("/", headers={"Accept-Language": "zh-CN"}).text
    body = re.sub(
        r"<script.*?</script>|<[^>]+>",
        " ",
        page.split("<body", 1)[1].split(">", 1)[1],
        flags=re.S,
    )
    assert set(re.findall(r"[A-Za-z]{2,}", body)) <= {"JavaScript"}  # a name


@pytest.mark.parametrize(
    ("setting", "lang", "header"),
    [
        ("auto", "zh-CN", "数据快照"),
        ("en", "en", "Snapshot of"),
        ("zh-CN", "zh-CN", "筛选条件"),
    ],
)
def test_the_export_header_speaks_the_locale(setting: str, lang: str, header: str):
    app, charts = start(PYECHARTS_LOCALE=setting)
    try:
        html = export_dashboard(app, "/", wait=0, variables={"region": "华东"}).html
        assert f'<html lang="{lang}"' in html  # auto: the Chinese title decides
        assert header in html
        for_values = translate(lang, "for_values")
        assert f"<span>{for_values}</span>" in html
    finally:
        charts.shutdown()
