"""Form widgets that pages with long choice lists need."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

Options = tuple[tuple[str, str], ...]


@lru_cache(maxsize=64)
def _options_markup(options: Options) -> tuple[str, dict[str, tuple[int, int, str]]]:
    """The markup of flat options, none selected, and for each value the span of its first
    option and that option's markup when selected (the only option Django marks)."""
    markup: list[str] = []
    spans: dict[str, tuple[int, int, str]] = {}
    length = 0
    for value, label in options:
        option = format_html('<option value="{}">{}</option>', value, label)
        if value not in spans:
            selected = format_html('<option value="{}" selected>{}</option>', value, label)
            spans[value] = (length, length + len(option), selected)
        markup.append(option)
        length += len(option)
    return "".join(markup), spans


class LongSelect(forms.Select):
    """A select written directly, with the markup Django's Select renders through its own
    template once per option (about 0.1 ms each: a country list took a third of the case
    list's time). The options of a flat list are written once per distinct list of values and
    labels (labels as translated, so once per language) and reused with the chosen option
    marked; values and labels are escaped by format_html."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        choices = [(str(v), label) for v, label in self.choices]
        if self.allow_multiple_selected or any(
            isinstance(label, (list, tuple)) for _v, label in choices
        ):
            return self._render_groups(name, value, attrs)
        markup, spans = _options_markup(tuple((v, str(label)) for v, label in choices))
        chosen = [spans[v] for v in self.format_value(value) if v in spans]
        if chosen:
            # Django marks the first option, in the list's order, whose value was chosen.
            start, end, selected = min(chosen)
            markup = markup[:start] + selected + markup[end:]
        return format_html(
            '<select name="{}"{}>{}</select>',
            name,
            flatatt(self.build_attrs(self.attrs, attrs)),
            SafeString(markup),
        )

    def _render_groups(self, name: str, value: Any, attrs: dict[str, Any] | None) -> SafeString:
        """Option groups, or several chosen values: each option through the widget's context."""
        widget = self.get_context(name, value, attrs)["widget"]
        groups = []
        for group_name, options, _index in widget["optgroups"]:
            rendered = format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                ((str(o["value"]), flatatt(o["attrs"]), o["label"]) for o in options),
            )
            groups.append(
                format_html('<optgroup label="{}">{}</optgroup>', group_name, rendered)
                if group_name
                else rendered
            )
        return format_html(
            '<select name="{}"{}>{}</select>',
            widget["name"],
            flatatt(widget["attrs"]),
            SafeString("".join(groups)),
        )
