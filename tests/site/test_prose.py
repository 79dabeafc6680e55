"""Docstring prose becomes Markdown that keeps its lists and indented blocks apart."""

import markdown

from sutskever30.site import prose_markdown

DOC = """Intro.

* First item, continued
  on a second line:

      f_t = σ(W_f·[h_{t−1}, x_t] + b_f)

  (a continuation paragraph)
* Second item.

After the list."""


def test_a_block_inside_a_list_item_stays_a_block_and_the_next_item_a_new_item():
    html = markdown.markdown(prose_markdown(DOC))
    assert html.count("<li>") == 2
    assert "<pre><code>" in html and "f_t = σ(W_f·[h_{t−1}, x_t] + b_f)" in html
    assert "<em>" not in html  # the underscores of f_t are not read as emphasis
    assert "Second item." in html.split("<li>")[2]


def test_prose_outside_lists_is_left_as_written():
    text = "Title\n-----\n\n    code block\n\nplain"
    assert prose_markdown(text) == text
