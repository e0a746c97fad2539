"""One rule for what people wrote in every Markdown export: no HTML, no code, no link; a table cell keeps its column."""

from ops.markdown import markdown_cell, markdown_text


def test_text_is_shown_never_run_as_html_code_or_a_link():
    written = r"<b>Bold</b> `code` [click](http://evil) ![img](x) a \ backslash, a | bar, 200-2,000 *employees*."

    assert markdown_text(written) == (
        r"\<b\>Bold\</b\> \`code\` \[click\](http://evil) !\[img\](x) a \\ backslash, a | bar, 200-2,000 *employees*."
    )
    assert markdown_cell("a | b <i>") == r"a \| b \<i\>"
