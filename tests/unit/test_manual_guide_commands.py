"""Every `oms ...` command the manual execution guide shows exists, with the options it uses."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import typer.main

from oms.cli import app

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "MANUAL_EXECUTION_GUIDE.md"


def guide_commands() -> list[list[str]]:
    """The `oms` command lines of the guide: inline code spans and the lines of fenced blocks."""
    text = GUIDE.read_text(encoding="utf-8")
    spans = re.findall(r"`(oms [^`]+)`", text)
    for block in re.findall(r"```\n(.*?)```", text, flags=re.DOTALL):
        spans += [line.split("  ")[0] for line in block.splitlines() if line.startswith("oms ")]
    return [shlex.split(span) for span in spans]


def test_the_guide_shows_only_real_commands_and_options() -> None:
    """Each command (and `fills` subcommand) exists, and each --option it uses is one of that command's options."""
    root: Any = typer.main.get_command(app)
    commands = guide_commands()
    assert len(commands) > 20
    for words in commands:
        if words[1].isupper():  # `oms COMMAND --help`: a placeholder, not a command
            continue
        command = root.commands.get(words[1])
        assert command is not None, f"no command `oms {words[1]}` ({' '.join(words)})"
        rest = words[2:]
        if hasattr(command, "commands"):  # a group: `oms fills import`
            command = command.commands.get(rest[0])
            assert command is not None, f"no command {' '.join(words[:3])}"
            rest = rest[1:]
        known = {opt for param in command.params for opt in (*param.opts, *param.secondary_opts)}
        for word in rest:
            if word.startswith("--"):
                assert word.split("=")[0] in known, f"`{' '.join(words)}`: {word} is not an option of it"
