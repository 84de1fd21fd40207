"""`python -m nncompress` runs the command-line interface."""
from .cli import main

main()
