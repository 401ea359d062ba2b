"""Configuration: the YAML file, its validation, credentials, the board mappings and the career ladder."""
