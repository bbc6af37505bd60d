"""The client's commands (``tune``, ``jobs``, ``datasets``) inside the server's ``tuneforge``.

They belong to the SDK (``sdk/python/tuneforge/cli.py``), so that ``python -m tuneforge``
works where only the SDK is installed. Here they are loaded only when called (or listed
by ``--help``): the API and the workers start without importing the SDK (httpx and the
generated client, about 0.2 s), and an install without the SDK still starts, and says
how to get them.
"""

from __future__ import annotations

import importlib

import click

CLIENT_COMMANDS = ("tune", "jobs", "datasets")
SDK_HINT = "the client commands need the SDK: pip install ./sdk/python"


class WithClientCommands(click.Group):
    """A group that also offers the SDK's commands, imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *CLIENT_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in CLIENT_COMMANDS and cmd_name not in self.commands:
            return load(cmd_name)
        return super().get_command(ctx, cmd_name)


def load(name: str) -> click.Command:
    """The SDK's command ``name``, or one that explains it is not installed."""
    try:
        module = importlib.import_module("tuneforge.cli")
    except ImportError as exc:
        return _missing(name, exc)
    command: click.Command = getattr(module, name)
    return command


def _missing(name: str, error: ImportError) -> click.Command:
    def explain() -> None:
        raise click.ClickException(f"{SDK_HINT} ({error})")

    return click.Command(
        name,
        callback=explain,
        help=f"Not installed: {SDK_HINT}.",
        context_settings={"ignore_unknown_options": True, "allow_extra_args": True},
    )
