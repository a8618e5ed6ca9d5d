"""What the doctor knows about the project: read once, from the project's own files, and only queried by checks.

One home for each kind of knowledge (its pyproject.toml, its environment, its record of
packages, its `.env` files), so no check rediscovers it and every check agrees.
"""
