import re

import orjson
from pyecharts import options as opts
from pyecharts.charts import Bar

from flask_pyecharts._json import script_safe as script_safe_json

PAYLOAD = "</script><img src=x onerror=alert(1)>"


def xss_bar() -> Bar:
    return (
        Bar()
        .add_xaxis([PAYLOAD, "b"])
        .add_yaxis(PAYLOAD, [1, 2])
        .set_global_opts(title_opts=opts.TitleOpts(title=PAYLOAD))
    )


def initial_of(html: str) -> dict:
    match = re.search(
        r'<script type="application/json" class="fpe-initial">(.*?)</script>',
        html,
        re.S,
    )
    assert match, html
    return orjson.loads(match.group(1))


def test_embed_registered_chart_inlines_the_current_option(app, charts):
    template = '{{ charts.embed("sales") }}'
    with app.test_request_context():
        html = app.jinja_env.from_string(template).render()
    assert 'data-chart="/charts/api/charts/sales"' in html
    assert initial_of(html)["option"]["xAxis"][0]["data"][0] == "衬衫"
    assert "<script>" not in html  # no executable inline script


def test_embed_escapes_script_breaking_data(app, charts):
    template = "{{ charts.embed(chart) }}"
    with app.test_request_context():
        html = app.jinja_env.from_string(template).render(chart=xss_bar())
    assert "<img" not in html
    assert html.count("</script>") == 1
    option = initial_of(html)["option"]
    assert option["title"][0]["text"] == PAYLOAD
    assert option["series"][0]["name"] == PAYLOAD
    assert option["xAxis"][0]["data"][0] == PAYLOAD


def test_embed_of_a_failing_chart_renders_an_empty_live_container(app, charts):
    with app.test_request_context():
        html = str(charts.embed("broken"))
    assert html == (
        '<div class="fpe-chart" data-chart="/charts/api/charts/broken"'
        ' style="height:400px;width:100%" data-height="400px" data-width="100%"></div>'
    )


def test_embed_validates_sizes(app, charts):
    with app.test_request_context():
        try:
            charts.embed("sales", height='1px" onload="x')
        except ValueError as error:
            assert "CSS length" in str(error)
        else:
            raise AssertionError("an unsafe height was accepted")


def test_script_tags(app, charts):
    with app.test_request_context():
        html = str(charts.scripts())
    assert html.index("echarts.min.js") < html.index("flask-pyecharts.js")


def test_script_safe_json_round_trips():
    body = orjson.dumps({"a": "</script>&<>", "b": ["\u2028"]})
    assert "<" not in script_safe_json(body)
    assert orjson.loads(script_safe_json(body)) == orjson.loads(body)
