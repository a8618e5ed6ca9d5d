"""Repairs: the edits the doctor can name precisely, as pure functions of a file's text.

Each rewriter takes the text of one file (and what the finding named: a variable, a
line) and returns a `Rewrite` (the new text, what changed, and whether the edit can only
do that) or None when the change cannot be made with certainty. None is an answer, not a
failure: the finding's own steps remain, and nothing is written. Planning, previews,
backups and writing belong to doctor/fixes.py; these modules never touch a file.
"""
