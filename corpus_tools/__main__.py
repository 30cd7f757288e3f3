"""``python -m corpus_tools`` runs the CLI."""
from .cli import main

if __name__ == "__main__":
    main(prog_name="corpus-tools")
