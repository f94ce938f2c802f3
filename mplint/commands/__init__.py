"""The subcommands of the command line: ``check`` and ``rule``."""
