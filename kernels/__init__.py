"""Device kernels (Triton) for nncompress, installed as `nncompress.kernels`; see README.md here."""
