from hotfix_guard.cli import entry; entry()  # noqa: E702
