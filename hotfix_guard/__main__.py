from hotfix_guard.cli import main; raise SystemExit(main())  # noqa: E702
