"""Recommenders that read the order of a user's history: item transitions (`transition`)
and a self-attentive sequence model (`sasrec`, PyTorch); `history` turns events into
per-user sequences."""
