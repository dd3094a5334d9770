"""Tables that read at 80 columns as at 160.

At 100 columns or more a `FittedTable` is an ordinary rich table whose number columns never wrap and whose wide
text columns (why, reason, checks) fold. Below that, the short columns stay a table, with headers and numbers at
full width, and each row's wide text goes under the row, indented; when even the short columns do not fit, every
row is printed as `header: value` lines instead.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from rich.console import Console, ConsoleOptions, RenderResult
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

WIDE_LAYOUT = 100  # columns from which wide text stays in its own column
_GAP = 2


@dataclass(frozen=True)
class Column:
    """A column: `wide` text goes under the row when the terminal is narrow (or is left out there when
    `optional`); the others are never cut."""

    header: str
    justify: Literal["left", "right"] = "left"
    wide: bool = False
    optional: bool = False


class FittedTable:
    """A rich renderable choosing its layout from the width it is given."""

    def __init__(self, columns: Sequence[Column], *, title: str = "") -> None:
        self.columns = list(columns)
        self.title = title
        self.rows: list[list[Text]] = []

    def add_row(self, *cells: str | Text) -> None:
        """Add a row; plain strings become unstyled text."""
        self.rows.append([cell if isinstance(cell, Text) else Text(cell) for cell in cells])

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = options.max_width
        if width >= WIDE_LAYOUT:
            yield self._rich_table()
            return
        narrow = [i for i, column in enumerate(self.columns) if not column.wide]
        widths = {i: max([len(self.columns[i].header), *(row[i].cell_len for row in self.rows)]) for i in narrow}
        if sum(widths.values()) + _GAP * (len(narrow) - 1) <= width:
            yield from self._under_rows(narrow, widths)
        else:
            yield from self._vertical()

    def _rich_table(self) -> Table:
        table = Table(title=self.title or None, title_justify="left")
        for column in self.columns:
            if column.wide:
                table.add_column(column.header, justify=column.justify, overflow="fold", ratio=1)
            else:
                table.add_column(column.header, justify=column.justify, no_wrap=True, min_width=len(column.header))
        for row in self.rows:
            table.add_row(*row)
        return table

    def _under_rows(self, narrow: list[int], widths: dict[int, int]) -> Iterator[Text | Padding]:
        if self.title:
            yield Text(self.title, style="italic")
        yield self._line([Text(self.columns[i].header, style="bold") for i in narrow], narrow, widths)
        for row in self.rows:
            yield self._line([row[i] for i in narrow], narrow, widths)
            for i, column in enumerate(self.columns):
                if column.wide and not column.optional and row[i].plain.strip():
                    yield Padding(Text.assemble((f"{column.header}: ", "dim"), row[i]), (0, 0, 0, 4))

    def _line(self, cells: list[Text], narrow: list[int], widths: dict[int, int]) -> Text:
        line = Text()
        for position, (i, cell) in enumerate(zip(narrow, cells, strict=True)):
            if position:
                line.append(" " * _GAP)
            pad = " " * (widths[i] - cell.cell_len)
            if self.columns[i].justify == "right":
                line.append(pad)
                line.append_text(cell)
            else:
                line.append_text(cell)
                if position < len(narrow) - 1:
                    line.append(pad)
        line.no_wrap = True
        return line

    def _vertical(self) -> Iterator[Text | Padding]:
        if self.title:
            yield Text(self.title, style="italic")
        for number, row in enumerate(self.rows):
            if number:
                yield Text("")
            for column, cell in zip(self.columns, row, strict=True):
                if cell.plain.strip() and not column.optional:
                    yield Text.assemble((f"{column.header}: ", "bold"), cell)
