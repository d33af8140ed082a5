"""The event-stream wire format, byte for byte (a table of input -> bytes)."""

import pytest

from flask_pyecharts.wire.sse import (
    encode_comment,
    encode_end,
    encode_event,
    encode_fields,
    encode_retry,
)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((b'{"a":1}',), b'data: {"a":1}\n\n'),
        ((b"x", "points", "c.1,c.2"), b"event: points\ndata: x\nid: c.1,c.2\n\n"),
        (("line1\nline2",), b"data: line1\ndata: line2\n\n"),
        (("a\r\nb\rc",), b"data: a\ndata: b\ndata: c\n\n"),
        (("",), b"data: \n\n"),
        # regression: a newline in id or event must not inject a field
        (
            (b"x", "a\ndata: evil", "1\r\nevent: b"),
            b"event: adata: evil\ndata: x\nid: 1event: b\n\n",
        ),
        # regression: U+2028, U+2029 and U+0085 are not line ends for the
        # EventSource parser; splitting there broke the JSON of an update
        (
            ('{"x":"a\u2028b\u2029c\u0085d"}',),
            b'data: {"x":"a\xe2\x80\xa8b\xe2\x80\xa9c\xc2\x85d"}\n\n',
        ),
        (("\x00",), b"data: \x00\n\n"),
    ],
)
def test_encode_event(args, expected):
    assert encode_event(*args) == expected


def test_fields_and_end_make_an_event_with_its_own_id():
    fields = encode_fields(b'{"p":1}', "points")
    assert fields == b'event: points\ndata: {"p":1}\n'
    assert fields + encode_end("a.1") == encode_event(b'{"p":1}', "points", "a.1")
    assert encode_end() == b"\n"


def test_comment_and_retry():
    assert encode_comment("ping") == b": ping\n\n"
    assert encode_comment("a\nb") == b": ab\n\n"
    assert encode_retry(2000) == b"retry: 2000\n\n"
