"""The site of reports (home page, JSON twin, navigation) and playlists
(registration errors, the kiosk page)."""

from __future__ import annotations

import json
import re
import typing as t

import pytest
from flask import Flask, request

from flask_pyecharts import Charts


def make(**config: t.Any) -> tuple[Flask, Charts]:
    app = Flask(__name__)
    app.config.update(TESTING=True, **config)
    charts = Charts(app)
    charts.variable("region", choices=["全国", "华东", "华北"], label="地区")
    charts.variable("days", type=int, choices=[7, 30], default=7, label="天数")

    @charts.chart("sales", title="销售额")
    def sales(region: str) -> dict[str, t.Any]:
        return {"series": [{"type": "bar", "data": [1]}]}

    @charts.chart("trend", title="趋势")
    def trend(region: str, days: int) -> dict[str, t.Any]:
        return {"series": [{"type": "line", "data": [days]}]}

    @charts.chart("secret", title="利润")
    def secret() -> dict[str, t.Any]:
        return {"series": [{"type": "bar", "data": [9]}]}

    charts.dashboard(
        "/overview", ["sales"], title="总览", description="今天的销售", endpoint="ov"
    )
    charts.dashboard("/trend", ["trend"], title="趋势分析", endpoint="tr")
    charts.dashboard("/profit", ["secret", "sales"], title="利润", endpoint="pr")

    @charts.access
    def check(name: str) -> bool:
        return name != "secret" or request.headers.get("X-Role") == "boss"

    return app, charts


@pytest.fixture
def site() -> t.Iterator[tuple[Flask, Charts]]:
    app, charts = make()
    charts.site("/", title="零售分析", logo="/static/logo.png")
    charts.playlist("/tv", ["/overview", "/trend"], every=10, title="电视")
    yield app, charts
    charts.shutdown()


def cards(page: str) -> list[str]:
    return re.findall(r'class="fpe-site-card[^"]*">\s*<a href="([^"]+)"', page)


def test_the_home_page_lists_the_reports_the_viewer_may_see(site):
    app, _ = site
    client = app.test_client()
    page = client.get("/", headers={"Accept-Language": "zh-CN"})
    assert page.status_code == 200
    assert cards(page.text) == ["/overview", "/trend", "/tv"]  # not /profit
    assert "今天的销售" in page.text and "零售分析" in page.text
    assert '<img class="fpe-nav-logo" src="/static/logo.png"' in page.text
    boss = client.get("/", headers={"X-Role": "boss"})
    assert cards(boss.text) == ["/overview", "/trend", "/profit", "/tv"]
    assert '<html lang="en"' in boss.text and ">Dashboard<" in boss.text


def test_the_home_page_has_a_json_twin(site):
    app, _ = site
    client = app.test_client()
    page = client.get("/")
    assert page.headers["Link"] == (
        '</charts/api/reports>; rel="alternate"; type="application/json"'
    )
    twin = client.get("/charts/api/reports")
    assert twin.status_code == 200 and twin.mimetype == "application/json"
    body = twin.json
    assert body["site"] == {"title": "零售分析", "url": "/", "logo": "/static/logo.png"}
    assert [item["url"] for item in body["reports"]] == ["/overview", "/trend"]
    assert body["reports"][0] == {
        "title": "总览",
        "description": "今天的销售",
        "kind": "dashboard",
        "url": "/overview",
        "charts": ["sales"],
        "variables": ["region"],
    }
    assert body["reports"][1]["variables"] == ["region", "days"]
    assert body["playlists"] == [
        {
            "title": "电视",
            "url": "/tv",
            "every": 10.0,
            "reports": ["/overview", "/trend"],
        }
    ]
    boss = client.get("/charts/api/reports", headers={"X-Role": "boss"}).json
    assert [item["url"] for item in boss["reports"]][-1] == "/profit"


def test_the_listing_without_a_site():
    app, charts = make()
    try:
        body = app.test_client().get("/charts/api/reports").json
        assert body["site"] is None and len(body["reports"]) == 2
        assert "fpe-nav" not in app.test_client().get("/overview").text
    finally:
        charts.shutdown()


def test_the_navigation_carries_the_shared_variables(site):
    app, _ = site
    page = app.test_client().get("/trend?region=华东&days=30").text
    nav = page.split('<nav class="fpe-nav"', 1)[1].split("</nav>", 1)[0]
    links = dict(re.findall(r'<li><a href="([^"]+)" data-fpe-uses="([^"]*)"', nav))
    # /overview uses region only: days stays behind
    assert links == {
        "/overview?region=%E5%8D%8E%E4%B8%9C": "region",
        "/trend?region=%E5%8D%8E%E4%B8%9C&amp;days=30": "region,days",
    }
    assert 'aria-current="page">趋势分析' in nav
    assert nav.count("aria-current") == 1
    assert '<a class="fpe-nav-home" href="/">' in nav
    # a value that is not allowed is not carried
    page = app.test_client().get("/trend?region=火星").text
    assert 'href="/overview"' in page


def test_kiosk_mode_marks_the_page(site):
    app, _ = site
    assert (
        'class="fpe-dashboard fpe-kiosk"'
        in app.test_client().get("/trend?kiosk=1").text
    )
    assert "fpe-kiosk" not in app.test_client().get("/trend").text


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"rule": "tv"}, "must start with '/'"),
        ({"reports": "/overview"}, "list of report rules"),
        ({"reports": []}, "list of report rules"),
        ({"reports": ["/nowhere"]}, "shows '/nowhere', but no dashboard or screen"),
        ({"every": 4}, "from 5 to 3600"),
        ({"every": 3601}, "from 5 to 3600"),
        ({"every": True}, "from 5 to 3600"),
        ({"every": "30"}, "from 5 to 3600"),
        ({"title": ""}, "title must be a non-empty text"),
    ],
)
def test_playlist_registration_errors(arguments: dict[str, t.Any], message: str):
    app, charts = make()
    try:
        given = {"rule": "/tv", "reports": ["/overview"], "every": 30, **arguments}
        with pytest.raises(ValueError, match=re.escape(message)):
            charts.playlist(given.pop("rule"), given.pop("reports"), **given)
        assert charts.registry.playlists == []
    finally:
        charts.shutdown()


def test_a_playlist_rule_is_taken_once():
    app, charts = make()
    try:
        charts.playlist("/tv", ["/overview"])
        with pytest.raises(ValueError, match="that rule is a playlist's already"):
            charts.playlist("/tv", ["/trend"])
        with pytest.raises(ValueError, match="the dashboard '总览''s already"):
            charts.playlist("/overview", ["/trend"])
        with pytest.raises(ValueError, match="the dashboard '趋势分析''s already"):
            charts.site("/trend", title="零售")
    finally:
        charts.shutdown()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"rule": "home"}, "must start with '/'"),
        ({"title": ""}, "needs a title"),
        ({"logo": "javascript:alert(1)"}, "logo must be a path"),
        ({"logo": "//evil.example/a.png"}, "logo must be a path"),
        ({"logo": 5}, "logo must be a string"),
    ],
)
def test_site_registration_errors(arguments: dict[str, t.Any], message: str):
    app, charts = make()
    try:
        given = {"rule": "/", "title": "零售", **arguments}
        with pytest.raises(ValueError, match=re.escape(message)):
            charts.site(given.pop("rule"), **given)
        assert charts.registry.site is None
        charts.site("/", title="零售")
        with pytest.raises(ValueError, match="already declared"):
            charts.site("/home", title="再来")
    finally:
        charts.shutdown()


def test_the_playlist_page(site):
    app, _ = site
    page = app.test_client().get("/tv", headers={"Accept-Language": "zh"})
    assert page.status_code == 200
    assert '<html lang="zh-CN"' in page.text and "<title>电视</title>" in page.text
    assert 'data-every="10.0"' in page.text
    listed = page.text.split('class="fpe-playlist-reports">', 1)[1].split("</script>")[
        0
    ]
    assert json.loads(listed) == [
        {"url": "/overview?kiosk=1", "title": "总览"},
        {"url": "/trend?kiosk=1", "title": "趋势分析"},
    ]


def test_a_playlist_leaves_out_what_the_viewer_may_not_see():
    app, charts = make()
    try:
        charts.playlist("/tv", ["/profit"])
        client = app.test_client()
        assert client.get("/tv").status_code == 404
        assert client.get("/tv", headers={"X-Role": "boss"}).status_code == 200
    finally:
        charts.shutdown()


def test_a_site_declared_after_init_app_and_before():
    app = Flask(__name__)
    charts = Charts()
    charts.site("/", title="先声明")
    charts.init_app(app)
    try:
        assert "先声明" in app.test_client().get("/").text
    finally:
        charts.shutdown()


def test_a_description_is_a_short_text():
    app, charts = make()
    try:
        with pytest.raises(ValueError, match="description must be at most 500"):
            charts.dashboard("/x", ["sales"], description="长" * 501)
        with pytest.raises(ValueError, match="description must be a string"):
            charts.dashboard("/x", ["sales"], description=5)  # type: ignore[arg-type]
    finally:
        charts.shutdown()
