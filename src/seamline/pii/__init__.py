"""The pure half of privacy, below the data layer: PII patterns and masking, the per-column
PII policy, and the keyed pseudonym ring. Workspace operations (erasure, re-keying,
differential privacy, k-anonymous export) live in `seamline.privacy`, above `data`."""
