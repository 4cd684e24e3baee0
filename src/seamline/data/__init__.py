"""Data model, readers, validation and the DuckDB store."""
