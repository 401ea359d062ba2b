"""The command line: argument parsing, terminal output and exit codes; it calls the library and prints."""
