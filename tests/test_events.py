import pytest

from flask_pyecharts.events import encode_comment, encode_event, encode_retry


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((b'{"a":1}',), b'data: {"a":1}\n\n'),
        ((b"x", "points", "c.1,c.2"), b"event: points\nid: c.1,c.2\ndata: x\n\n"),
        (("line1\nline2",), b"data: line1\ndata: line2\n\n"),
        (("",), b"data: \n\n"),
        # regression: a newline in id or event must not inject a field
        (
            (b"x", "a\ndata: evil", "1\r\nevent: b"),
            b"event: adata: evil\nid: 1event: b\ndata: x\n\n",
        ),
    ],
)
def test_encode_event(args, expected):
    assert encode_event(*args) == expected


def test_comment_and_retry():
    assert encode_comment("ping") == b": ping\n\n"
    assert encode_comment("a\nb") == b": ab\n\n"
    assert encode_retry(2000) == b"retry: 2000\n\n"
