"""The long select (every interpreter of the pool) writes exactly what wtforms' own select writes."""

from __future__ import annotations

from wtforms import Form, SelectField

from rris.common.web.forms import LongSelect

CHOICES = [(1, 'Ana <script>alert("x")</script>'), (2, ""), (3, "Béla & Co")]


class _Both(Form):
    plain = SelectField(choices=CHOICES, coerce=int)
    long = SelectField(choices=CHOICES, coerce=int, widget=LongSelect())


def test_the_long_select_writes_what_wtforms_writes_names_escaped_and_the_choice_selected():
    form = _Both(data={"plain": 3, "long": 3})
    long = str(form.long())
    assert long == str(form.plain()).replace('"plain"', '"long"')
    assert "&lt;script&gt;" in long and "<script>" not in long
    assert '<option selected value="3">Béla &amp; Co</option>' in long
