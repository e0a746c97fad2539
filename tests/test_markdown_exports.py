"""Every Markdown export escapes what people wrote by the same rule (ops/markdown.py)."""

from ops.markdown import markdown_text


def test_the_profile_export_and_the_workshop_summary_escape_alike():
    from profiles.exports import _lines
    from workshops.summary import _md

    written = "<script>alert(1)</script> [click](http://evil) 200-2,000 employees."

    assert _md(written) == _lines(written) == markdown_text(written)
