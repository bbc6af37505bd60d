"""``python -m tuneforge tune …``: the client commands where only the SDK is installed."""

from tuneforge.cli import main

main(prog_name="tuneforge")
