"""Privacy: keyed pseudonyms, PII detection at ingest, DP aggregates, k-anonymous exports,
erasure. Nothing here needs the CLI; `seamline.cli.privacy` is a thin shell over it."""
