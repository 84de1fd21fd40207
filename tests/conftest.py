"""Test session settings."""
import torch

# One torch thread per test process: small ops are faster without thread hand-offs (NOTES §2),
# and `pytest -n 2` already keeps both cores busy.
torch.set_num_threads(1)
