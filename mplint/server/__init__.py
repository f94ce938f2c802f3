"""The language server: ``mplint server`` speaks the Language Server Protocol over standard I/O."""
