"""Command-line shell over the library (Typer + Rich)."""
