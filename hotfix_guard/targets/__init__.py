"""What to check: the local branch, the refs of a push, the CI's variables, shallow clones."""
